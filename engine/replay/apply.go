package replay

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"iter"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
)

// apply applies one event (recorded or new) to the executor's state and
// runs the orchestrator as far as the event lets it.
func (x *Executor) apply(e *durable.Event) {
	x.seen++
	if x.finished && !e.Kind.IsAction() {
		return
	}
	if x.suspended && !e.Kind.IsAction() && e.Kind != durable.OrchestratorStarted &&
		e.Kind != durable.ExecutionResumed && e.Kind != durable.ExecutionTerminated && e.Kind != durable.ExecutionSuspended {
		x.held = append(x.held, *e) // recorded as received; applied on resume
		return
	}
	if (e.Kind == durable.ExecutionSuspended || e.Kind == durable.ExecutionResumed) && !x.lifecycleInOrder(e) {
		return
	}
	switch e.Kind {
	case durable.ExecutionSuspended:
		if x.status == durable.StatusRunning {
			x.suspended, x.status = true, durable.StatusSuspended
		}
	case durable.ExecutionResumed:
		if x.suspended {
			x.suspended, x.status = false, durable.StatusRunning
			held := x.held
			x.held = nil
			for i := range held {
				x.seen-- // counted when it was received
				x.apply(&held[i])
			}
		}
	case durable.OrchestratorStarted:
		x.now = e.At
	case durable.ExecutionStarted:
		x.begin(e)
	case durable.TimerFired:
		if e.ID == startTimerID {
			x.scheduledStart(e)
			break
		}
		x.resolveTask(e.ID, e.Payload, "")
	case durable.TaskCompleted, durable.SubOrchestrationCompleted:
		x.resolveTask(e.ID, e.Payload, "")
	case durable.TaskFailed, durable.SubOrchestrationFailed:
		x.resolveTask(e.ID, nil, e.Failure)
	case durable.EntityResponded, durable.EntityLockGranted:
		if id, ok := x.requests[e.Request]; ok {
			x.resolveTask(id, e.Payload, e.Failure)
		}
	case durable.EventRaised:
		x.raise(e)
	case durable.ExecutionTerminated:
		if e.ID != durable.TerminateOnlyThisID {
			x.terminateChildren(e.Payload)
		}
		x.Close()
		x.finish(durable.StatusTerminated, e.Payload, "terminated")
	default:
		if e.Kind.IsAction() {
			x.match(e)
		}
	}
}

// startTimerID is the task id of the timer that a scheduled start waits
// for.
const startTimerID = durable.StartTimerID

// executionToken tells an execution from the instance's other executions
// (a sub-orchestration retried under a fixed id, a ContinueAsNew): a hash
// of its start (parent, parent task id, the parent's own token or the
// previous execution's, input), the same on every replay and on a redone
// step. Entity request ids carry it, so a late response to an earlier
// execution's request never completes this one's request of the same task
// id. (Two client starts of one id with the same input share it.)
func executionToken(start *durable.Event) string {
	h := fnv.New32a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(start.ID))
	h.Write(b[:])
	h.Write([]byte(start.Request))
	h.Write([]byte{0})
	h.Write([]byte(start.Instance))
	h.Write([]byte{0})
	h.Write(start.Payload)
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// lifecycleInOrder reports whether a suspend or resume is not older than
// the last one applied (a stale one, redelivered or overtaken, is
// ignored), and remembers its time.
func (x *Executor) lifecycleInOrder(e *durable.Event) bool {
	if e.At < x.lifecycleAt {
		return false
	}
	x.lifecycleAt = e.At
	return true
}

func (x *Executor) begin(e *durable.Event) {
	x.start = *e
	x.start.Kind = durable.ExecutionStarted
	if e.At > x.now {
		// A scheduled start: the instance stays Pending until its timer
		// fires (the message is sent once, by the step that applies the
		// start, not by replays).
		x.startDue = true
		if x.out != nil && !x.replaying {
			x.out.Messages = append(x.out.Messages, durable.Message{To: x.instance,
				Event: durable.Event{Kind: durable.TimerFired, ID: startTimerID, At: e.At}})
		}
		return
	}
	x.run()
}

// scheduledStart runs a scheduled start whose timer fired.
func (x *Executor) scheduledStart(e *durable.Event) {
	if x.startDue && e.At == x.start.At {
		x.startDue = false
		x.run()
	}
}

// terminateChildren sends the termination on to every sub-orchestration
// the instance started that has not finished (a step applying the
// termination sends it; replays do not).
func (x *Executor) terminateChildren(reason []byte) {
	if x.out == nil || x.replaying {
		return
	}
	for i := range x.tasks {
		s := &x.tasks[i]
		if s.kind == durable.SubOrchestrationCreated && s.task != nil && !s.task.IsDone() {
			x.out.Messages = append(x.out.Messages, durable.Message{To: s.instance,
				Event: durable.Event{Kind: durable.ExecutionTerminated, Payload: reason}})
		}
	}
}

func (x *Executor) run() {
	e := &x.start
	x.execToken = executionToken(e)
	fn, err := x.reg.Orchestrator(e.Name)
	if err != nil {
		x.failf("%v", err)
		return
	}
	x.status = durable.StatusRunning
	x.ctx = durable.NewOrchestrationContext(x)
	x.next, x.stop = iter.Pull(func(yield func(struct{}) bool) { x.body(fn, yield) })
	x.running = true
	x.resume()
}

// body is the coroutine: it runs the orchestrator to its end.
func (x *Executor) body(fn durable.Orchestrator, yield func(struct{}) bool) {
	x.yield = yield
	defer func() {
		if r := recover(); r != nil && r != errAbandoned {
			x.running = false
			x.complete(nil, durable.PanicError(r))
		}
	}()
	out, err := fn(x.ctx)
	x.running = false
	x.complete(out, err)
}

func (x *Executor) resume() {
	if x.running {
		x.next()
	}
}

// complete turns the orchestrator's return into the instance's outcome.
func (x *Executor) complete(out any, err error) {
	if x.finished {
		return
	}
	switch {
	case err != nil:
		x.finish(durable.StatusFailed, nil, durable.EncodeFailure(err))
	case x.continued:
		x.finish(durable.StatusContinuedAsNew, x.continueInput, "")
	default:
		payload, merr := durable.Marshal(out)
		if merr != nil {
			x.finish(durable.StatusFailed, nil, fmt.Sprintf("orchestration output: %v", merr))
			return
		}
		x.finish(durable.StatusCompleted, payload, "")
	}
}

// finish records the outcome: open critical sections are released, then an
// ExecutionCompleted action is added.
func (x *Executor) finish(st durable.Status, payload []byte, failure string) {
	if x.finished {
		return
	}
	if x.ctx != nil {
		x.ctx.CriticalSection().Release()
	}
	x.finished = true
	x.status, x.failure = st, failure
	if st != durable.StatusContinuedAsNew {
		x.output = payload
	}
	x.pending = append(x.pending, durable.Event{Kind: durable.ExecutionCompleted, ID: x.nextID,
		Status: st, Payload: payload, Failure: failure})
	if st == durable.StatusContinuedAsNew {
		if !x.dropEvents {
			x.carried = append(x.carried, x.buffered...)
		}
		x.buffered = nil
	}
}

func (x *Executor) resolveTask(id int32, payload []byte, failure string) {
	if id < 0 || int(id) >= len(x.tasks) || x.tasks[id].task == nil {
		if x.replaying {
			x.failf("%v: history completes task #%d, which the orchestrator never scheduled", ErrNondeterminism, id)
		}
		return
	}
	slot := &x.tasks[id]
	var err error
	if failure != "" {
		d := durable.DecodeFailure(failure)
		err = &durable.TaskFailedError{Kind: taskKind(slot.kind), Name: slot.name, Message: d.Message,
			NonRetriable: d.NonRetriable, Details: d}
	}
	slot.task.Resolve(payload, err)
	x.timedOut(slot)
	x.resume()
}

func taskKind(k durable.EventKind) string {
	switch k {
	case durable.SubOrchestrationCreated:
		return "sub-orchestration"
	case durable.EntityCallSent:
		return "entity operation"
	case durable.EntityLockSent:
		return "critical section"
	case durable.TimerCreated:
		return "timer"
	}
	return "activity"
}

func (x *Executor) raise(e *durable.Event) {
	if ws := x.waiters[e.Name]; len(ws) > 0 {
		x.waiters[e.Name] = ws[1:]
		ws[0].Resolve(e.Payload, nil)
		x.resume()
		return
	}
	x.buffered = append(x.buffered, *e)
}

// match checks a recorded action against the next action the code asked for.
func (x *Executor) match(e *durable.Event) {
	if len(x.pending) == 0 {
		x.nondeterministic(e, nil)
		return
	}
	got := &x.pending[0]
	if got.Kind != e.Kind || got.ID != e.ID || got.Name != e.Name || got.Status != e.Status ||
		(e.Kind != durable.ExecutionCompleted && got.Instance != e.Instance) {
		x.nondeterministic(e, got)
		return
	}
	x.pending = x.pending[1:]
}

// nondeterministic fails the instance, naming the step and both actions.
func (x *Executor) nondeterministic(recorded, asked *durable.Event) {
	r, a := "nothing", "nothing"
	if recorded != nil {
		r = recorded.String()
	}
	if asked != nil {
		a = asked.String()
	}
	x.Close()
	x.broken, x.finished = true, false
	x.pending = nil
	x.failf("%v %q: at history event %d, history records %s but the orchestrator asked for %s",
		ErrNondeterminism, x.start.Name, x.seen, r, a)
}
