package replay

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dflab/dflab/engine/durable"
)

// errAbandoned unwinds a suspended orchestrator whose executor was closed.
var errAbandoned = errors.New("replay: orchestration abandoned")

// ErrNondeterminism is wrapped by the failure of an instance whose code,
// on replay, asked for something other than what its history recorded.
var ErrNondeterminism = errors.New("nondeterministic orchestration")

// Result is what one Step produced.
type Result struct {
	// History holds the events to append to the instance's history.
	History []durable.Event
	// Messages are to be sent: activity work items (TaskScheduled, To = this
	// instance), timers (TimerFired, To = this instance, due at Event.At),
	// sub-orchestration starts, raised events, entity requests, and the
	// completion notice to a parent orchestration.
	Messages []durable.Message
	// Status is Running, Completed, Failed, ContinuedAsNew or Terminated.
	Status       durable.Status
	Output       []byte
	Failure      string
	CustomStatus []byte
	// Restart, after ContinueAsNew, holds the new execution's first events:
	// its ExecutionStarted, then the external events carried over.
	Restart []durable.Event
	// NewExecution reports that the step began a new execution of an
	// instance whose previous one had ended (a start for a finished id, such
	// as a sub-orchestration retried under a fixed id): History is the new
	// execution's alone and replaces the instance's recorded history;
	// Messages still hold what the ended execution sent in this step.
	NewExecution bool
}

// Executor runs one orchestration instance. It is not safe for concurrent
// use; Close it when evicting it from a cache.
type Executor struct {
	reg      *durable.Registry
	instance string
	start    durable.Event // ExecutionStarted

	ctx     *durable.OrchestrationContext
	next    func() (struct{}, bool)
	stop    func()
	yield   func(struct{}) bool
	running bool

	now       int64
	replaying bool
	nextID    int32
	tasks     []taskSlot
	requests  map[string]int32 // entity request id → task id
	pending   []durable.Event  // actions asked for, not yet recorded
	waiters   map[string][]*durable.Task
	buffered  []durable.Event // external events nobody waited for yet
	suspended bool
	startDue  bool   // a scheduled start waits for its timer
	execToken string // the execution's token (executionToken)
	// lifecycleAt is the time of the last suspend or resume applied.
	lifecycleAt int64
	held        []durable.Event // events received while suspended, applied on resume
	seen        int             // history events applied so far

	custom        []byte
	continueInput []byte
	continued     bool
	dropEvents    bool // ContinueAsNew drops unprocessed events (DropEvents)
	finished      bool
	broken        bool // replay found nondeterminism
	status        durable.Status
	output        []byte
	failure       string
	carried       []durable.Event

	out *Result
	res Result // the step's result, kept here so it needs no allocation
}

type taskSlot struct {
	task *durable.Task
	kind durable.EventKind
	name string
	// A timer that guards a wait (WaitEvent with a timeout): the wait, its
	// event name and the timeout.
	timeoutOf *durable.Task
	event     string
	timeout   time.Duration
	at        int64  // a timer's fire time
	instance  string // a sub-orchestration's id
}

// New returns an executor for an instance with no history applied.
func New(reg *durable.Registry, instance string) *Executor {
	return &Executor{reg: reg, instance: instance, status: durable.StatusPending}
}

// Execute runs one step from scratch: it replays history and applies
// events at now. The executor it returns is the cached cursor for the next
// step (Close it if unused).
func Execute(reg *durable.Registry, instance string, history []durable.Event, now int64, events []durable.Event) (*Executor, Result) {
	x := New(reg, instance)
	x.Replay(history)
	return x, x.Step(now, events)
}

// Replay applies recorded history. Code that asks for other actions than
// the history recorded fails the instance; the failure is reported by the
// next Step.
func (x *Executor) Replay(history []durable.Event) {
	x.replaying = true
	for i := range history {
		if x.broken {
			break
		}
		x.apply(&history[i])
	}
	if !x.broken && len(x.pending) > 0 {
		x.nondeterministic(nil, &x.pending[0])
	}
	x.replaying = false
}

// Step applies new events at time now and returns what the step produced.
func (x *Executor) Step(now int64, events []durable.Event) Result {
	x.res = Result{History: make([]durable.Event, 0, len(events)+3)}
	r := &x.res
	x.out = r
	x.replaying = false
	if !x.finished || len(x.pending) > 0 {
		x.record(durable.Event{Kind: durable.OrchestratorStarted, At: now})
		x.now = now
	}
	for i := range events {
		e := &events[i]
		if x.finished {
			switch {
			case e.Kind == durable.ExecutionStarted && !x.continued:
				x.newExecution(now)
			case x.continued && e.Kind == durable.EventRaised:
				if !x.dropEvents {
					x.carried = append(x.carried, *e)
				}
				continue
			default:
				continue
			}
		}
		if !x.accepts(e) {
			continue
		}
		x.record(*e)
		x.apply(e)
	}
	x.flushActions()
	r.Status, r.Output, r.Failure, r.CustomStatus = x.status, x.output, x.failure, x.custom
	if x.status == durable.StatusContinuedAsNew {
		restart := x.start
		restart.Payload, restart.Request = x.continueInput, x.execToken+"+"
		r.Restart = append([]durable.Event{restart}, x.carried...)
		x.carried = nil
	}
	out := *r
	x.out, x.res = nil, Result{}
	return out
}

// newExecution forgets the ended execution so that the start being
// applied begins a new one, as Durable Functions starts a finished id
// again. What the ended execution asked for in this step is still sent;
// its history is not kept (the new execution's replaces it).
func (x *Executor) newExecution(now int64) {
	x.flushActions()
	x.Close()
	reg, instance, res := x.reg, x.instance, x.res
	*x = Executor{reg: reg, instance: instance, status: durable.StatusPending, res: res}
	x.out = &x.res
	x.res.History = x.res.History[:0]
	x.res.NewExecution = true
	x.record(durable.Event{Kind: durable.OrchestratorStarted, At: now})
	x.now = now
}

// Close stops a suspended orchestrator (it unwinds; no further effects).
func (x *Executor) Close() {
	if x.running && x.stop != nil {
		x.stop()
	}
	x.running = false
}

// Status is the instance's status after the events applied so far.
func (x *Executor) Status() durable.Status { return x.status }

func (x *Executor) record(e durable.Event) {
	if x.out != nil {
		x.out.History = append(x.out.History, e)
	}
}

// accepts filters new events that would not change anything: duplicate or
// unknown task completions (activities run at least once), responses to
// requests never made, and completions left over from an earlier
// execution of the instance (a task of another kind under the same id, a
// timer with another fire time). Such events are not recorded.
func (x *Executor) accepts(e *durable.Event) bool {
	switch e.Kind {
	case durable.TimerFired:
		if e.ID == startTimerID {
			return x.startDue && e.At == x.start.At
		}
		fallthrough
	case durable.TaskCompleted, durable.TaskFailed, durable.SubOrchestrationCompleted,
		durable.SubOrchestrationFailed:
		if e.ID < 0 || int(e.ID) >= len(x.tasks) {
			return false
		}
		slot := &x.tasks[e.ID]
		return slot.task != nil && !slot.task.IsDone() && slot.kind == scheduledBy(e.Kind) &&
			(e.Kind != durable.TimerFired || slot.at == e.At)
	case durable.EntityResponded, durable.EntityLockGranted:
		id, ok := x.requests[e.Request]
		return ok && !x.tasks[id].task.IsDone()
	case durable.ExecutionStarted:
		return x.start.Kind == durable.KindInvalid
	}
	return true
}

// scheduledBy is the action kind whose task a completion kind completes.
func scheduledBy(k durable.EventKind) durable.EventKind {
	switch k {
	case durable.TaskCompleted, durable.TaskFailed:
		return durable.TaskScheduled
	case durable.SubOrchestrationCompleted, durable.SubOrchestrationFailed:
		return durable.SubOrchestrationCreated
	}
	return durable.TimerCreated
}

func itoa(n int32) string { return strconv.FormatInt(int64(n), 10) }

func (x *Executor) failf(format string, args ...any) {
	x.finish(durable.StatusFailed, nil, fmt.Sprintf(format, args...))
}
