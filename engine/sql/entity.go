package sql

import (
	"encoding/json"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/replay"
)

// An entity is an instance with an entity id ("@name@key"), as the
// provider runs entities: its events are locked and checkpointed like an
// orchestration's. Its whole state (replay.EntityState: user state,
// critical section, held requests) is its one History row; each batch
// begins a new execution (nextExec), so the row replaces the last one, and
// two workers running the same batch collide on its key. The user state
// is also the instance's output, which a status request reads.

// entityRow is the encoded replay.EntityState.
type entityRow struct {
	Exists   bool     `json:"exists"`
	State    []byte   `json:"state,omitempty"`
	LockedBy string   `json:"lockedBy,omitempty"`
	LockReq  string   `json:"lockReq,omitempty"`
	Queue    [][]byte `json:"queue,omitempty"`
}

func encodeEntity(st *replay.EntityState) []byte {
	r := entityRow{Exists: st.Exists, State: st.State, LockedBy: st.LockedBy, LockReq: st.LockReq}
	for i := range st.Queue {
		r.Queue = append(r.Queue, durable.AppendEvent(nil, &st.Queue[i]))
	}
	b, _ := json.Marshal(r) // plain fields: cannot fail
	return b
}

func decodeEntity(b []byte) (replay.EntityState, error) {
	var r entityRow
	if err := json.Unmarshal(b, &r); err != nil {
		return replay.EntityState{}, err
	}
	st := replay.EntityState{Exists: r.Exists, State: r.State, LockedBy: r.LockedBy, LockReq: r.LockReq}
	for _, q := range r.Queue {
		e, _, err := durable.DecodeEvent(q)
		if err != nil {
			return replay.EntityState{}, err
		}
		st.Queue = append(st.Queue, e)
	}
	return st, nil
}

// entityStep applies a locked entity's events and checkpoints its new
// state and messages.
func (w *Worker) entityStep(wi port.SQLWorkItem, in inbox) {
	id, err := durable.ParseEntityID(wi.Instance)
	var st replay.EntityState
	if err == nil && len(wi.History) > 0 {
		st, err = decodeEntity(wi.History[len(wi.History)-1].Event)
	}
	if err != nil {
		w.stats.Abandoned++ // nothing a retry fixes; the events stay for an operator
		w.stepDone()
		return
	}
	if len(in.events) == 0 {
		w.discard(wi.Instance, in.deleted)
		return
	}
	r := replay.ExecuteEntity(w.reg, id, &st, in.events)
	w.Work("entity-step", 1)
	w.Work("entity-op", r.Operations)
	exec := nextExec(wi.Instance, wi.Exec, len(wi.History))
	cp := port.SQLCheckpoint{Instance: wi.Instance, Exec: exec, Read: wi.Exec, Status: port.SQLRunning, Deleted: in.deleted,
		History: []port.SQLHistoryRow{{Exec: exec, Seq: 0, Event: encodeEntity(&st)}}}
	if st.Exists {
		cp.Output = orEmpty(st.State)
	}
	b := builder{w: w, instance: wi.Instance, cp: &cp}
	b.messages(exec, r.Messages)
	w.stats.EntitySteps++
	w.checkpoint(cp)
}

// entityStart names the instance a message to an entity creates if the
// entity has none yet.
func entityStart(to string) (port.SQLStart, bool) {
	id, err := durable.ParseEntityID(to)
	if err != nil {
		return port.SQLStart{}, false
	}
	return port.SQLStart{Instance: to, Name: id.Name, Exec: fmt.Sprintf("%016x", fnv64(to))}, true
}
