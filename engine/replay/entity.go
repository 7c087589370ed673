package replay

import (
	"fmt"
	"slices"

	"github.com/dflab/dflab/engine/durable"
)

// EntityState is everything durable about one entity: its user state, the
// critical section holding it, and the requests waiting for that section
// to end.
type EntityState struct {
	Exists   bool
	State    []byte
	LockedBy string          // orchestration instance holding the lock, "" if free
	LockReq  string          // that critical section's request id
	Queue    []durable.Event // requests held while locked, in arrival order
}

// Idle reports whether the entity holds nothing (it may be forgotten).
func (s *EntityState) Idle() bool {
	return !s.Exists && s.LockedBy == "" && len(s.Queue) == 0
}

// Clone returns a deep copy (so callers can keep the old state).
func (s *EntityState) Clone() EntityState {
	c := *s
	c.State = slices.Clone(s.State)
	c.Queue = slices.Clone(s.Queue)
	return c
}

// EntityResult is what a batch produced.
type EntityResult struct {
	// Messages are responses to callers, lock forwards and grants, and the
	// signals the operations sent, in the order they were produced.
	Messages []durable.Message
	// Operations counts the operations executed (not those held back).
	Operations int
}

// ExecuteEntity applies a batch of messages to the entity id, updating st
// in place. Operations run one at a time; an operation that fails or
// panics leaves the state as it was and sends no signals.
func ExecuteEntity(reg *durable.Registry, id durable.EntityID, st *EntityState, batch []durable.Event) EntityResult {
	var r EntityResult
	ex := entityExec{reg: reg, id: id, st: st, r: &r}
	for i := range batch {
		ex.handle(batch[i])
	}
	return r
}

type entityExec struct {
	reg *durable.Registry
	id  durable.EntityID
	st  *EntityState
	r   *EntityResult
}

func (ex *entityExec) handle(e durable.Event) {
	st := ex.st
	switch e.Kind {
	case durable.EntityCallRequested, durable.EntitySignalRequested, durable.EntityLockRequested:
		if st.LockedBy != "" && st.LockedBy != e.Instance {
			st.Queue = append(st.Queue, e)
			return
		}
		if e.Kind == durable.EntityLockRequested {
			ex.lock(e)
		} else {
			ex.operate(e)
		}
	case durable.EntityReleased:
		if st.LockedBy != e.Instance || st.LockReq != e.Request {
			return // stale or duplicate release
		}
		st.LockedBy, st.LockReq = "", ""
		held := st.Queue
		st.Queue = nil
		for _, q := range held {
			ex.handle(q)
		}
	}
}

func (ex *entityExec) lock(e durable.Event) {
	ex.st.LockedBy, ex.st.LockReq = e.Instance, e.Request
	next := int(e.ID) + 1
	if next < len(e.Entities) {
		fwd := e
		fwd.ID = int32(next)
		ex.send(e.Entities[next], fwd)
		return
	}
	ex.send(e.Instance, durable.Event{Kind: durable.EntityLockGranted, Request: e.Request})
}

func (ex *entityExec) operate(e durable.Event) {
	ex.r.Operations++
	state, exists, result, signals, err := ex.run(e)
	if err == nil {
		ex.st.State, ex.st.Exists = state, exists
		for _, m := range signals {
			ex.send(m.To, m.Event)
		}
	}
	if e.Kind != durable.EntityCallRequested {
		return
	}
	resp := durable.Event{Kind: durable.EntityResponded, Request: e.Request, Payload: result}
	if err != nil {
		resp.Payload, resp.Failure = nil, durable.EncodeFailure(err)
	}
	ex.send(e.Instance, resp)
}

// run executes one operation, turning a panic into an error.
func (ex *entityExec) run(e durable.Event) (state []byte, exists bool, result []byte, signals []durable.Message, err error) {
	fn, err := ex.reg.Entity(ex.id.Name)
	if err != nil {
		return nil, false, nil, nil, err
	}
	ctx := durable.NewEntityContext(ex.id, e.Name, e.Payload, ex.st.State, ex.st.Exists)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("entity %s operation %q: %w", ex.id, e.Name, durable.PanicError(r))
		}
	}()
	if err = fn(ctx); err != nil {
		return nil, false, nil, nil, err
	}
	state, exists, result, signals = ctx.Effects()
	return state, exists, result, signals, nil
}

func (ex *entityExec) send(to string, e durable.Event) {
	ex.r.Messages = append(ex.r.Messages, durable.Message{To: to, Event: e})
}
