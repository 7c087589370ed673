package replay

import (
	"fmt"
	"sort"
	"time"

	"github.com/dflab/dflab/engine/durable"
)

// The Executor is the durable.Runtime of the orchestration it runs.
var _ durable.Runtime = (*Executor)(nil)

// InstanceID implements durable.Runtime.
func (x *Executor) InstanceID() string { return x.instance }

// Name implements durable.Runtime.
func (x *Executor) Name() string { return x.start.Name }

// Input implements durable.Runtime.
func (x *Executor) Input() []byte { return x.start.Payload }

// Version implements durable.Runtime.
func (x *Executor) Version() string { return x.start.Version }

// Now implements durable.Runtime.
func (x *Executor) Now() int64 { return x.now }

// IsReplaying implements durable.Runtime.
func (x *Executor) IsReplaying() bool { return x.replaying }

// SetCustomStatus implements durable.Runtime.
func (x *Executor) SetCustomStatus(payload []byte) { x.custom = payload }

// ContinueAsNew implements durable.Runtime.
func (x *Executor) ContinueAsNew(input []byte, carry bool) {
	x.continued, x.continueInput, x.dropEvents = true, input, !carry
}

// Suspend implements durable.Runtime: it yields to the executor, and
// unwinds the orchestrator if the executor was closed meanwhile.
func (x *Executor) Suspend() {
	if !x.yield(struct{}{}) {
		panic(errAbandoned)
	}
}

// Schedule implements durable.Runtime.
func (x *Executor) Schedule(e *durable.Event) *durable.Task {
	id := x.nextID
	x.nextID++
	e.ID = id
	switch e.Kind {
	case durable.EntityCallSent, durable.EntityLockSent:
		e.Request = x.instance + "#" + itoa(id) + "." + x.execToken
		if x.requests == nil {
			x.requests = map[string]int32{}
		}
		x.requests[e.Request] = id
	case durable.SubOrchestrationCreated:
		if e.Instance == "" {
			e.Instance = x.instance + ":" + itoa(id)
		}
	}
	t := durable.NewTask(x.ctx)
	switch e.Kind {
	case durable.EventSent, durable.EntitySignalSent, durable.EntityUnlockSent:
		t.Resolve(nil, nil) // one-way: nothing to wait for
	}
	x.tasks = append(x.tasks, taskSlot{task: t, kind: e.Kind, name: e.Name, at: e.At, instance: e.Instance})
	if err := x.unregistered(e); err != nil {
		// Nothing is sent or recorded: the call fails at once, whatever
		// its retry policy, and does so again on every replay.
		t.Resolve(nil, err)
		return t
	}
	x.pending = append(x.pending, *e)
	return t
}

// unregistered is the failure of a call of an activity or orchestrator,
// or of a critical section on an entity, that the registry does not have
// (it names the registered ones). A call of an unregistered entity fails
// at the entity instead, as its operation's error.
func (x *Executor) unregistered(e *durable.Event) error {
	var err error
	name := e.Name
	switch e.Kind {
	case durable.TaskScheduled:
		_, err = x.reg.Activity(e.Name)
	case durable.SubOrchestrationCreated:
		_, err = x.reg.Orchestrator(e.Name)
	case durable.EntityLockSent:
		for _, id := range e.Entities {
			var eid durable.EntityID
			if eid, err = durable.ParseEntityID(id); err == nil {
				_, err = x.reg.Entity(eid.Name)
			}
			if err != nil {
				name = id
				break
			}
		}
	}
	if err != nil {
		return &durable.TaskFailedError{Kind: taskKind(e.Kind), Name: name, Message: err.Error(), NonRetriable: true}
	}
	return nil
}

// WaitEvent implements durable.Runtime. A timeout is a durable timer
// (recorded as any): when it fires first, the wait fails and stops
// waiting.
func (x *Executor) WaitEvent(name string, timeout time.Duration) *durable.Task {
	t := durable.NewTask(x.ctx)
	for i := range x.buffered {
		if x.buffered[i].Name == name {
			t.Resolve(x.buffered[i].Payload, nil)
			x.buffered = append(x.buffered[:i], x.buffered[i+1:]...)
			return t
		}
	}
	if x.waiters == nil {
		x.waiters = map[string][]*durable.Task{}
	}
	x.waiters[name] = append(x.waiters[name], t)
	if timeout > 0 {
		x.Schedule(&durable.Event{Kind: durable.TimerCreated, At: x.now + int64(timeout)})
		slot := &x.tasks[len(x.tasks)-1]
		slot.timeoutOf, slot.event, slot.timeout = t, name, timeout
	}
	return t
}

// CancelWait implements durable.Runtime.
func (x *Executor) CancelWait(t *durable.Task) bool {
	for _, name := range sortedNames(x.waiters) {
		if x.dropWaiter(name, t) {
			t.Resolve(nil, fmt.Errorf("%w: event %q", durable.ErrWaitCanceled, name))
			return true
		}
	}
	return false
}

// dropWaiter removes t from the waiters for name.
func (x *Executor) dropWaiter(name string, t *durable.Task) bool {
	ws := x.waiters[name]
	for i, w := range ws {
		if w == t {
			x.waiters[name] = append(ws[:i:i], ws[i+1:]...)
			return true
		}
	}
	return false
}

// timedOut fails the wait a timer slot guards, if it still waits.
func (x *Executor) timedOut(slot *taskSlot) {
	if slot.timeoutOf != nil && x.dropWaiter(slot.event, slot.timeoutOf) {
		slot.timeoutOf.Resolve(nil, fmt.Errorf("%w: event %q, after %v", durable.ErrWaitTimeout, slot.event, slot.timeout))
	}
}

func sortedNames(m map[string][]*durable.Task) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// flushActions records the actions asked for in this step and turns them
// into messages.
func (x *Executor) flushActions() {
	for i := range x.pending {
		a := &x.pending[i]
		x.record(*a)
		if m, ok := x.message(a); ok {
			x.out.Messages = append(x.out.Messages, m)
		}
	}
	x.pending = x.pending[:0]
}

// message is the message an action sends, if any.
func (x *Executor) message(a *durable.Event) (durable.Message, bool) {
	self := x.instance
	switch a.Kind {
	case durable.TaskScheduled:
		return durable.Message{To: self, Event: *a}, true
	case durable.TimerCreated:
		return durable.Message{To: self, Event: durable.Event{Kind: durable.TimerFired, ID: a.ID, At: a.At}}, true
	case durable.SubOrchestrationCreated:
		return durable.Message{To: a.Instance, Event: durable.Event{Kind: durable.ExecutionStarted,
			Name: a.Name, Payload: a.Payload, Instance: self, ID: a.ID, Version: a.Version, Request: x.execToken}}, true
	case durable.EventSent:
		return durable.Message{To: a.Instance, Event: durable.Event{Kind: durable.EventRaised,
			Name: a.Name, Payload: a.Payload}}, true
	case durable.EntityCallSent:
		return durable.Message{To: a.Instance, Event: durable.Event{Kind: durable.EntityCallRequested,
			Instance: self, Name: a.Name, Payload: a.Payload, Request: a.Request}}, true
	case durable.EntitySignalSent:
		return durable.Message{To: a.Instance, Event: durable.Event{Kind: durable.EntitySignalRequested,
			Instance: self, Name: a.Name, Payload: a.Payload}}, true
	case durable.EntityLockSent:
		return durable.Message{To: a.Entities[0], Event: durable.Event{Kind: durable.EntityLockRequested,
			Instance: self, Entities: a.Entities, Request: a.Request}}, true
	case durable.EntityUnlockSent:
		return durable.Message{To: a.Instance, Event: durable.Event{Kind: durable.EntityReleased,
			Instance: self, Request: a.Request}}, true
	case durable.ExecutionCompleted:
		return x.parentNotice(a)
	}
	return durable.Message{}, false
}

func (x *Executor) parentNotice(a *durable.Event) (durable.Message, bool) {
	parent := x.start.Instance
	if parent == "" {
		return durable.Message{}, false
	}
	switch a.Status {
	case durable.StatusCompleted:
		return durable.Message{To: parent, Event: durable.Event{Kind: durable.SubOrchestrationCompleted,
			ID: x.start.ID, Payload: a.Payload}}, true
	case durable.StatusFailed, durable.StatusTerminated:
		return durable.Message{To: parent, Event: durable.Event{Kind: durable.SubOrchestrationFailed,
			ID: x.start.ID, Failure: a.Failure}}, true
	}
	return durable.Message{}, false
}
