package sql

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/replay"
)

// maxRestarts bounds the ContinueAsNew restarts one step runs in place.
const maxRestarts = 100

// inbox is a work item's events, decoded and filtered.
type inbox struct {
	events    []durable.Event
	deleted   []int64
	startExec string // the execution a start for a new execution names
}

// readInbox decodes the locked events: undecodable ones and responses to
// another execution are consumed without effect.
func readInbox(wi *port.SQLWorkItem) inbox {
	var in inbox
	for _, r := range wi.Events {
		in.deleted = append(in.deleted, r.Seq)
		e, _, err := durable.DecodeEvent(r.Event)
		if err != nil {
			continue
		}
		if e.Kind == durable.ExecutionStarted {
			if r.Exec != "" && r.Exec != wi.Exec && in.startExec == "" {
				in.startExec = r.Exec
			}
		} else if r.Exec != "" && r.Exec != wi.Exec {
			continue
		}
		in.events = append(in.events, e)
	}
	return in
}

func readHistory(wi *port.SQLWorkItem) ([]durable.Event, error) {
	hist := make([]durable.Event, 0, len(wi.History))
	for _, r := range wi.History {
		e, _, err := durable.DecodeEvent(r.Event)
		if err != nil {
			return nil, fmt.Errorf("sql: history row %s/%s/%d: %w", wi.Instance, r.Exec, r.Seq, err)
		}
		hist = append(hist, e)
	}
	return hist, nil
}

// orchestrationStep replays the locked instance with its new events and
// checkpoints the outcome.
func (w *Worker) orchestrationStep(wi port.SQLWorkItem) {
	in := readInbox(&wi)
	if durable.IsEntity(wi.Instance) {
		w.entityStep(wi, in)
		return
	}
	hist, err := readHistory(&wi)
	if err != nil {
		// Abandon: nothing a retry can fix, but the lock expiring keeps the
		// events for an operator to see.
		w.stats.Abandoned++
		w.stepDone()
		return
	}
	cp, ok := w.runSteps(&wi, hist, &in)
	if !ok {
		w.discard(wi.Instance, in.deleted)
		return
	}
	w.stats.Steps++
	w.checkpoint(cp)
}

func (w *Worker) discard(instance string, deleted []int64) {
	w.stats.Discards++
	w.call(port.SQLDiscardEvents{Instance: instance, Deleted: deleted}, eventsDiscarded{instance: instance})
}

// eventsDiscarded: a step that changed nothing consumed its events (or
// the call failed and their lock expires): the step is over.
type eventsDiscarded struct{ instance string }

func (k eventsDiscarded) Then() reactor.Then {
	return reactor.Then{Step: "events-discarded", About: k.instance}
}

func (eventsDiscarded) step(w *Worker, _ reactor.Outcome) { w.stepDone() }

// runSteps replays and steps the instance (and, after ContinueAsNew, the
// new execution in place) and builds the checkpoint; false means the
// events changed nothing.
func (w *Worker) runSteps(wi *port.SQLWorkItem, hist []durable.Event, in *inbox) (port.SQLCheckpoint, bool) {
	x := replay.New(w.reg, wi.Instance)
	x.Replay(hist)
	w.stats.HistoryEventsReplayed += len(hist)
	w.Work("replay-event", len(hist))
	w.Work("orchestration-step", 1)
	r := x.Step(int64(w.Now()), in.events)
	x.Close()
	exec, base := wi.Exec, len(hist)
	if r.NewExecution {
		exec, base = in.startExec, 0
		if exec == "" {
			exec = nextExec(wi.Instance, wi.Exec, len(hist))
		}
	}
	if len(r.Messages) == 0 && !recordsAnything(r.History) {
		return port.SQLCheckpoint{}, false
	}
	cp := port.SQLCheckpoint{Instance: wi.Instance, Read: wi.Exec, Deleted: in.deleted}
	b := builder{w: w, instance: wi.Instance, cp: &cp}
	b.messages(exec, r.Messages)
	for i := 0; r.Status == durable.StatusContinuedAsNew && i < maxRestarts; i++ {
		exec, base = nextExec(wi.Instance, exec, base+len(r.History)), 0
		cp.Input = r.Restart[0].Payload
		if cp.Input == nil {
			cp.Input = []byte{}
		}
		y := replay.New(w.reg, wi.Instance)
		r = y.Step(int64(w.Now()), r.Restart)
		y.Close()
		b.messages(exec, r.Messages)
	}
	if r.Status == durable.StatusContinuedAsNew {
		// Still restarting: the next step begins the next execution.
		next := nextExec(wi.Instance, exec, len(r.History))
		for _, e := range r.Restart {
			cp.Events = append(cp.Events, port.SQLNewEvent{Instance: wi.Instance, Exec: next, Event: durable.AppendEvent(nil, &e)})
		}
	}
	cp.Exec = exec
	for i := range r.History {
		cp.History = append(cp.History, port.SQLHistoryRow{Exec: exec, Seq: base + i, Event: durable.AppendEvent(nil, &r.History[i])})
	}
	cp.Status, cp.Custom, cp.Failure = statusName(r.Status), r.CustomStatus, r.Failure
	if r.Status == durable.StatusCompleted || r.Status == durable.StatusTerminated {
		cp.Output = r.Output
		if cp.Output == nil {
			cp.Output = []byte{}
		}
	}
	return cp, true
}

// builder turns a step's messages into the checkpoint's rows.
type builder struct {
	w        *Worker
	instance string
	cp       *port.SQLCheckpoint
}

func (b *builder) messages(exec string, msgs []durable.Message) {
	for i := range msgs {
		m := &msgs[i]
		enc := durable.AppendEvent(nil, &m.Event)
		switch m.Event.Kind {
		case durable.TaskScheduled:
			b.cp.Tasks = append(b.cp.Tasks, port.SQLNewTask{Instance: b.instance, Exec: exec, Event: enc})
		case durable.TimerFired:
			b.cp.Events = append(b.cp.Events, port.SQLNewEvent{Instance: m.To, Exec: exec, Visible: port.Time(m.Event.At), Event: enc})
		case durable.ExecutionStarted:
			child := childExec(b.instance, exec, m.Event.ID)
			b.cp.Starts = append(b.cp.Starts, port.SQLStart{Instance: m.To, Name: m.Event.Name, Exec: child,
				Parent: b.instance, Input: orEmpty(m.Event.Payload)})
			b.cp.Events = append(b.cp.Events, port.SQLNewEvent{Instance: m.To, Exec: child, Event: enc})
		default:
			if start, ok := entityStart(m.To); ok && durable.IsEntity(m.To) {
				b.cp.Starts = append(b.cp.Starts, start)
			}
			b.cp.Events = append(b.cp.Events, port.SQLNewEvent{Instance: m.To, Event: enc})
		}
	}
}

func orEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// checkpoint commits a step. A duplicate execution (another worker
// committed the same step first) is discarded; any other failure abandons
// the step: the lock expires and another poll takes the events again.
func (w *Worker) checkpoint(cp port.SQLCheckpoint) {
	if w.cfg.Planted == PlantedReleaseLockEarly && len(cp.Deleted) > 0 && !cp.KeepLock {
		w.call(port.SQLDiscardEvents{Instance: cp.Instance, Deleted: cp.Deleted}, earlyDiscarded{cp: cp})
		return
	}
	w.call(cp, checkpointed{cp: cp})
}

// earlyDiscarded (PlantedReleaseLockEarly): a step's events were deleted
// before its checkpoint: commit the checkpoint without them.
type earlyDiscarded struct{ cp port.SQLCheckpoint }

func (k earlyDiscarded) Then() reactor.Then {
	return reactor.Then{Step: "events-discarded", About: k.cp.Instance}
}

func (k earlyDiscarded) step(w *Worker, o reactor.Outcome) {
	if o.Completion.Err != nil {
		w.stats.Abandoned++
		w.stepDone()
		return
	}
	early := k.cp
	early.Deleted = nil
	w.checkpoint(early)
}

// checkpointed: a step's checkpoint committed (or not): wake the
// dispatchers it gave work and end the step.
type checkpointed struct{ cp port.SQLCheckpoint }

func (k checkpointed) Then() reactor.Then {
	return reactor.Then{Step: "checkpointed", About: k.cp.Instance}
}

func (k checkpointed) step(w *Worker, o reactor.Outcome) {
	cp := k.cp
	switch c := o.Completion; {
	case c.Err == nil:
		if len(cp.Tasks) > 0 {
			w.wake(tasks)
		}
		if len(cp.Events) > 0 {
			w.wake(orchestrations)
		}
	case errors.Is(c.Err, port.ErrDuplicateExecution) && w.cfg.Planted == PlantedSkipDuplicateCheck && len(cp.History) > 0:
		again := cp
		again.History, again.Read = nil, ""
		w.checkpoint(again)
		return
	case errors.Is(c.Err, port.ErrDuplicateExecution):
		w.stats.Duplicates++
	default:
		w.stats.Abandoned++
	}
	w.stepDone()
}

// recordsAnything reports whether a step's new history holds more than
// its OrchestratorStarted marker.
func recordsAnything(h []durable.Event) bool {
	for _, e := range h {
		if e.Kind != durable.OrchestratorStarted {
			return true
		}
	}
	return false
}

// nextExec names the execution after exec of an instance, the same on
// every worker that runs the step (so that two workers running the same
// ContinueAsNew step collide on the History key).
func nextExec(instance, exec string, n int) string {
	return fmt.Sprintf("%016x", fnv64(instance+"\x00"+exec+"\x00"+strconv.Itoa(n)))
}

// childExec names the execution a parent's sub-orchestration start begins.
func childExec(parent, exec string, id int32) string {
	return fmt.Sprintf("%016x", fnv64(parent+"\x00"+exec+"\x00sub\x00"+strconv.Itoa(int(id))))
}

func statusName(s durable.Status) string {
	switch s {
	case durable.StatusPending:
		return port.SQLPending
	case durable.StatusCompleted:
		return port.SQLCompleted
	case durable.StatusFailed:
		return port.SQLFailed
	case durable.StatusTerminated:
		return port.SQLTerminated
	case durable.StatusSuspended:
		return port.SQLSuspended
	}
	return port.SQLRunning
}
