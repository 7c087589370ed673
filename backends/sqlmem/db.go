package sqlmem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dflab/dflab/engine/port"
)

// DB is an in-memory relational database of task hubs. It is safe for
// concurrent use; each procedure holds the database's mutex, so
// transactions are serial.
type DB struct {
	mu    sync.Mutex
	clock func() port.Time
	hubs  map[string]*hub
}

var _ port.Relational = (*DB)(nil)

// New returns an empty database reading time from clock.
func New(clock func() port.Time) (*DB, error) {
	if clock == nil {
		return nil, errors.New("sqlmem.New: clock is nil, want a func() port.Time")
	}
	return &DB{clock: clock, hubs: map[string]*hub{}}, nil
}

type hub struct {
	instances map[string]*instance
	inbox     map[string][]*event // NewEvents by instance, in sequence order
	heads     heads               // the instances of inbox by their first event (heads.go)
	head      map[string]*head    // heads' entries by instance
	nextEvent int64
	history   map[string][]port.SQLHistoryRow // by instance, in key order
	tasks     []*task                         // NewTasks in sequence order
	nextTask  int64
	payloads  map[payloadKey][]byte      // by instance and payload id
	requests  map[string]map[string]bool // raise requests seen, by instance
}

type instance struct {
	id, name, exec, status, parent string
	inputID, outputID, customID    string
	failure                        string
	created, updated, completed    port.Time
	lockedBy                       string
	lockExpires                    port.Time // 0: never locked or released
}

type event struct {
	seq      int64
	instance string
	row      port.SQLEvent
}

type task struct {
	seq         int64
	instance    string
	exec        string
	event       []byte
	lockedBy    string
	lockExpires port.Time
	dequeues    int
}

// Exec implements port.Relational: one procedure, one transaction.
func (db *DB) Exec(_ context.Context, hubName string, p port.Proc) (any, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	now := db.clock()
	if _, ok := p.(port.SQLCreateSchema); ok {
		if db.hubs[hubName] == nil {
			db.hubs[hubName] = &hub{instances: map[string]*instance{}, inbox: map[string][]*event{}, head: map[string]*head{},
				history: map[string][]port.SQLHistoryRow{}, payloads: map[payloadKey][]byte{}, requests: map[string]map[string]bool{}}
		}
		return nil, nil
	}
	h := db.hubs[hubName]
	if h == nil {
		return nil, fmt.Errorf("sqlmem: task hub %q: %w", hubName, port.ErrNoSchema)
	}
	switch v := p.(type) {
	case port.SQLCreateInstance:
		return h.createInstance(now, v)
	case port.SQLRaiseEvent:
		return nil, h.raiseEvent(now, v)
	case port.SQLLockNextOrchestration:
		return h.lockNextOrchestration(now, v)
	case port.SQLCheckpoint:
		return nil, h.checkpoint(now, v)
	case port.SQLDiscardEvents:
		return nil, h.discardEvents(now, v)
	case port.SQLLockNextTask:
		return h.lockNextTask(now, v)
	case port.SQLCompleteTasks:
		return nil, h.completeTasks(now, v)
	case port.SQLQueryInstance:
		return h.row(h.instances[v.Instance]), nil
	case port.SQLQueryInstances:
		return h.queryInstances(v)
	case port.SQLPurgeInstance:
		return h.purgeInstance(v)
	}
	return nil, port.BadRequest("procedure", fmt.Sprintf("%T", p), "a port.SQL* procedure")
}

func (h *hub) queryInstances(q port.SQLQueryInstances) (any, error) {
	if q.Limit < 1 || q.Limit > 1001 {
		return nil, port.BadRequest("SQLQueryInstances.Limit", q.Limit, "1..1001")
	}
	ids := make([]string, 0, len(h.instances))
	for id := range h.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := []port.SQLInstance{}
	for _, id := range ids {
		in := h.instances[id]
		switch {
		case id <= q.After, strings.HasPrefix(id, "@"), len(q.Statuses) > 0 && !slices.Contains(q.Statuses, in.status),
			!strings.HasPrefix(in.name, q.NamePrefix), in.created < q.CreatedFrom, q.CreatedTo > 0 && in.created >= q.CreatedTo:
			continue
		}
		if out = append(out, h.row(in)); len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func (h *hub) putPayload(inst, id string, data []byte) string {
	if data == nil {
		return ""
	}
	h.payloads[payloadKey{inst, id}] = clone(data)
	return id
}

func (h *hub) payload(inst, id string) []byte {
	if id == "" {
		return nil
	}
	return clone(h.payloads[payloadKey{inst, id}])
}

// payloadKey names a payload: its instance and its id (a struct key, so a
// look-up builds no string).
type payloadKey struct{ inst, id string }

// row reads an instance with its payloads.
func (h *hub) row(in *instance) port.SQLInstance {
	if in == nil {
		return port.SQLInstance{}
	}
	return port.SQLInstance{Found: true, Instance: in.id, Name: in.name, Exec: in.exec, Status: in.status,
		Input: h.payload(in.id, in.inputID), Output: h.payload(in.id, in.outputID), Custom: h.payload(in.id, in.customID),
		Failure: in.failure, Created: in.created, Updated: in.updated, LockedBy: in.lockedBy, LockExpires: in.lockExpires,
		Parent: in.parent, PendingEvents: len(h.inbox[in.id]), History: len(h.history[in.id])}
}

func (h *hub) createInstance(now port.Time, p port.SQLCreateInstance) (any, error) {
	if p.Instance == "" || p.Exec == "" {
		return nil, port.BadRequest("SQLCreateInstance.Instance/Exec", fmt.Sprintf("%q/%q", p.Instance, p.Exec), "non-empty ids")
	}
	if old := h.instances[p.Instance]; old != nil {
		for _, s := range p.Dedupe {
			if old.status == s {
				return h.row(old), fmt.Errorf("sqlmem: create %s: instance exists and is %s: %w", p.Instance, old.status, port.ErrConflict)
			}
		}
		h.purge(p.Instance)
	}
	in := &instance{id: p.Instance, name: p.Name, exec: p.Exec, status: port.SQLPending, created: now, updated: now}
	in.inputID = h.putPayload(p.Instance, p.Exec+"/input", p.Input)
	h.instances[p.Instance] = in
	h.insertEvent(port.SQLNewEvent{Instance: p.Instance, Exec: p.Exec, Event: p.Start})
	return h.row(in), nil
}

func (h *hub) raiseEvent(now port.Time, p port.SQLRaiseEvent) error {
	if name, ok := port.SQLEntityName(p.Instance); ok && h.instances[p.Instance] == nil {
		h.instances[p.Instance] = &instance{id: p.Instance, name: name, exec: "entity", status: port.SQLPending, created: now, updated: now}
	}
	if h.instances[p.Instance] == nil {
		return fmt.Errorf("sqlmem: raise event for %s: the instance does not exist: %w", p.Instance, port.ErrNotFound)
	}
	if p.Request != "" {
		if h.requests[p.Instance][p.Request] {
			return nil
		}
		if h.requests[p.Instance] == nil {
			h.requests[p.Instance] = map[string]bool{}
		}
		h.requests[p.Instance][p.Request] = true
	}
	h.insertEvent(port.SQLNewEvent{Instance: p.Instance, Event: p.Event})
	return nil
}

func (h *hub) insertEvent(e port.SQLNewEvent) {
	h.nextEvent++
	ev := &event{seq: h.nextEvent, instance: e.Instance,
		row: port.SQLEvent{Seq: h.nextEvent, Exec: e.Exec, Visible: e.Visible, Event: clone(e.Event)}}
	h.inbox[e.Instance] = append(h.inbox[e.Instance], ev)
	if len(h.inbox[e.Instance]) == 1 {
		h.headChanged(e.Instance)
	}
}

// deleteEvent removes an instance's event by sequence number (false if it
// is not there).
func (h *hub) deleteEvent(inst string, seq int64) bool {
	box := h.inbox[inst]
	i := sort.Search(len(box), func(i int) bool { return box[i].seq >= seq })
	if i == len(box) || box[i].seq != seq {
		return false
	}
	// In place: a step deletes the events it read, from the front of its
	// inbox, and copying the rest of a long inbox per event was quadratic.
	switch {
	case len(box) == 1:
		delete(h.inbox, inst)
	case i == 0:
		box[0] = nil
		h.inbox[inst] = box[1:]
	default:
		copy(box[i:], box[i+1:])
		box[len(box)-1] = nil
		h.inbox[inst] = box[:len(box)-1]
	}
	if i == 0 {
		h.headChanged(inst)
	}
	return true
}

func visible(t, now port.Time) bool { return t == 0 || t <= now }

func free(lockExpires, now port.Time) bool { return lockExpires == 0 || lockExpires <= now }

// lockNextOrchestration takes the first visible event in sequence order
// of an existing instance whose lock is free (the provider's UPDATE TOP(1)
// ... WITH (READPAST) join; heads.go finds it), locks that instance and
// reads its work.
func (h *hub) lockNextOrchestration(now port.Time, p port.SQLLockNextOrchestration) (any, error) {
	if p.Lock <= 0 || p.Batch <= 0 || p.Owner == "" {
		return nil, port.BadRequest("SQLLockNextOrchestration", fmt.Sprintf("Owner=%q Lock=%d Batch=%d", p.Owner, p.Lock, p.Batch),
			"an owner, Lock > 0, Batch > 0")
	}
	if in := h.firstFree(now); in != nil {
		in.lockedBy, in.lockExpires = p.Owner, now+p.Lock
		w := port.SQLWorkItem{Found: true, Instance: in.id, Name: in.name, Exec: in.exec, Status: in.status, LockExpires: in.lockExpires}
		for _, b := range h.inbox[in.id] {
			if len(w.Events) == p.Batch {
				break
			}
			if visible(b.row.Visible, now) {
				b.row.Dequeues++
				r := b.row
				r.Event = clone(r.Event)
				w.Events = append(w.Events, r)
			}
		}
		for _, r := range h.history[in.id] {
			w.History = append(w.History, port.SQLHistoryRow{Exec: r.Exec, Seq: r.Seq, Event: clone(r.Event)})
		}
		return w, nil
	}
	return port.SQLWorkItem{}, nil
}

func (h *hub) lockNextTask(now port.Time, p port.SQLLockNextTask) (any, error) {
	if p.Lock <= 0 || p.Owner == "" {
		return nil, port.BadRequest("SQLLockNextTask", fmt.Sprintf("Owner=%q Lock=%d", p.Owner, p.Lock), "an owner, Lock > 0")
	}
	for _, t := range h.tasks {
		if !free(t.lockExpires, now) {
			continue
		}
		t.lockedBy, t.lockExpires = p.Owner, now+p.Lock
		t.dequeues++
		return port.SQLTask{Found: true, Seq: t.seq, Instance: t.instance, Exec: t.exec, Dequeues: t.dequeues, Event: clone(t.event)}, nil
	}
	return port.SQLTask{}, nil
}

func (h *hub) completeTasks(_ port.Time, p port.SQLCompleteTasks) error {
	idx := make([]int, len(p.Seqs))
	dup := map[int64]bool{}
	for i, s := range p.Seqs {
		if dup[s] {
			return port.BadRequest("SQLCompleteTasks.Seqs", s, "distinct sequence numbers")
		}
		dup[s] = true
		j := sort.Search(len(h.tasks), func(j int) bool { return h.tasks[j].seq >= s })
		if j == len(h.tasks) || h.tasks[j].seq != s {
			return fmt.Errorf("sqlmem: complete task %d: the task is gone (completed by another worker): %w", s, port.ErrDuplicateExecution)
		}
		idx[i] = j
	}
	for _, r := range p.Results {
		if in := h.instances[r.Instance]; in != nil && in.exec == r.Exec && port.SQLActive(in.status) {
			h.insertEvent(r)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(idx)))
	for _, j := range idx {
		h.tasks = append(h.tasks[:j], h.tasks[j+1:]...)
	}
	return nil
}

func (h *hub) discardEvents(now port.Time, p port.SQLDiscardEvents) error {
	for _, seq := range p.Deleted {
		h.deleteEvent(p.Instance, seq)
	}
	if in := h.instances[p.Instance]; in != nil {
		in.lockExpires, in.updated = 0, now
	}
	return nil
}
