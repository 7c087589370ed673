package sqlmem

import (
	"fmt"
	"slices"

	"github.com/dflab/dflab/engine/port"
)

// checkpoint commits an orchestration step (see port.SQLCheckpoint). It
// checks everything that can fail first, so a failure changes nothing.
func (h *hub) checkpoint(now port.Time, p port.SQLCheckpoint) error {
	in := h.instances[p.Instance]
	if in == nil {
		return fmt.Errorf("sqlmem: checkpoint %s: the instance does not exist: %w", p.Instance, port.ErrNotFound)
	}
	if p.Exec == "" {
		return port.BadRequest("SQLCheckpoint.Exec", `""`, "the execution id")
	}
	if p.Read != "" && in.exec != p.Read {
		return fmt.Errorf("sqlmem: checkpoint %s: the step read execution %s, the instance is at %s: %w",
			p.Instance, p.Read, in.exec, port.ErrDuplicateExecution)
	}
	newExec := in.exec != p.Exec
	if !newExec {
		if err := h.checkKeys(p); err != nil {
			return err
		}
	}
	if newExec {
		// ContinueAsNew or a restart: the old execution's history and
		// payloads go.
		h.dropPayloads(in)
		delete(h.history, p.Instance)
		in.exec, in.inputID, in.outputID, in.customID, in.failure = p.Exec, "", "", "", ""
	}
	if p.Input != nil {
		in.inputID = h.putPayload(in.id, p.Exec+"/input", p.Input)
	}
	if p.Custom != nil {
		in.customID = h.putPayload(in.id, p.Exec+"/custom", p.Custom)
	}
	if p.Output != nil {
		in.outputID = h.putPayload(in.id, p.Exec+"/output", p.Output)
	}
	in.status, in.failure, in.updated = p.Status, p.Failure, now
	if port.SQLDone(p.Status) {
		in.completed = now
	}
	if !p.KeepLock {
		in.lockExpires = 0
	}
	for _, s := range p.Starts {
		if h.instances[s.Instance] == nil {
			c := &instance{id: s.Instance, name: s.Name, exec: s.Exec, parent: s.Parent, status: port.SQLPending, created: now, updated: now}
			c.inputID = h.putPayload(s.Instance, s.Exec+"/input", s.Input)
			h.instances[s.Instance] = c
		}
	}
	for _, e := range p.Events {
		h.insertEvent(e)
	}
	for _, seq := range p.Deleted {
		h.deleteEvent(p.Instance, seq)
	}
	for _, r := range p.History {
		h.history[p.Instance] = append(h.history[p.Instance], port.SQLHistoryRow{Exec: r.Exec, Seq: r.Seq, Event: clone(r.Event)})
	}
	for _, t := range p.Tasks {
		h.nextTask++
		h.tasks = append(h.tasks, &task{seq: h.nextTask, instance: t.Instance, exec: t.Exec, event: clone(t.Event)})
	}
	return nil
}

// checkKeys is the History primary key: (instance, exec, seq) must be new,
// within the checkpoint too.
func (h *hub) checkKeys(p port.SQLCheckpoint) error {
	type key struct {
		exec string
		seq  int
	}
	seen := map[key]bool{}
	for _, r := range h.history[p.Instance] {
		seen[key{r.Exec, r.Seq}] = true
	}
	for _, r := range p.History {
		k := key{r.Exec, r.Seq}
		if seen[k] {
			return fmt.Errorf("sqlmem: checkpoint %s: History primary key (%s, %s, %d) exists: %w",
				p.Instance, p.Instance, r.Exec, r.Seq, port.ErrDuplicateExecution)
		}
		seen[k] = true
	}
	return nil
}

func (h *hub) dropPayloads(in *instance) {
	for _, id := range []string{in.inputID, in.outputID, in.customID} {
		if id != "" {
			delete(h.payloads, payloadKey{in.id, id})
		}
	}
}

// purge deletes every row of an instance.
func (h *hub) purge(id string) {
	in := h.instances[id]
	if in != nil {
		h.dropPayloads(in)
	}
	delete(h.instances, id)
	delete(h.history, id)
	delete(h.requests, id)
	for _, e := range append([]*event(nil), h.inbox[id]...) {
		h.deleteEvent(id, e.seq)
	}
	live := h.tasks[:0]
	for _, t := range h.tasks {
		if t.instance != id {
			live = append(live, t)
		}
	}
	clear(h.tasks[len(live):])
	h.tasks = live
}

func (h *hub) purgeInstance(p port.SQLPurgeInstance) (any, error) {
	in := h.instances[p.Instance]
	if in == nil {
		return port.SQLInstance{}, nil
	}
	row := h.row(in)
	if !port.SQLDone(in.status) {
		return row, fmt.Errorf("sqlmem: purge %s: instance is %s, not finished: %w", p.Instance, in.status, port.ErrConflict)
	}
	if p.Children {
		for id, c := range h.instances {
			if c.parent == p.Instance {
				row.Children = append(row.Children, id)
			}
		}
		slices.Sort(row.Children)
	}
	h.purge(p.Instance)
	return row, nil
}
