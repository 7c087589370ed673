package netherite

import (
	"cmp"
	"maps"
	"slices"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay"
)

// session is an instance's queue of messages not yet processed.
type session struct {
	Queue []durable.Event
}

// activity is a queued (or running) activity work item.
type activity struct {
	ID  int64
	Msg durable.Message // TaskScheduled, To = the orchestration
}

// timer is a durable timer: Msg (TimerFired) is delivered at Msg.Event.At.
type timer struct {
	ID  int64
	Msg durable.Message
}

// outEntry is what the update at Seq sends to Dest (a partition, or
// Partitions+c for client c), kept until Dest confirms receipt.
type outEntry struct {
	Seq        int64
	Dest       int
	Messages   []durable.Message
	Responses  []clientResp
	Activities []durable.Message // offloaded work items
}

// row is an orchestration instance's status row.
type row struct {
	Name             string
	Status           durable.Status
	Input, Output    []byte
	Custom           []byte
	Failure          string
	Created, Updated int64
}

// waiter is a client waiting for an instance to finish.
type waiter struct {
	Origin int
	ID     uint64
}

// state is a partition's durable state: the tracked objects. It changes
// only in apply (apply.go); a checkpoint is its encoding.
type state struct {
	self, parts int

	Seq          int64  // last applied update
	InputPos     int64  // input stream position after the last applied read
	InputCheck   uint32 // CRC-32 of the input record before InputPos
	NextActivity int64
	NextTimer    int64
	Sessions     map[string]*session
	Activities   []activity // by id
	Timers       map[int64]timer
	Outbox       []outEntry // by seq
	Dedup        map[int]int64
	Instances    map[string]*row
	Histories    map[string][]durable.Event
	Entities     map[string]*replay.EntityState
	// EntityUpdated is when an entity's last step was applied (the step's
	// At, Unix ns), as an orchestration row's Updated: its status reports
	// it as the entity's last update.
	EntityUpdated map[string]int64
	Waiters       map[string][]waiter

	// Not durable: caches and hooks the partition core attaches.
	execs    map[string]*replay.Executor // cached cursors, in step with Histories
	onQueued func(instance string)       // a session got messages
	onGone   func(activityID int64)      // an activity finished
	// skipDedup is the planted bug PlantedSkipDedup.
	skipDedup bool
}

func newState(self, parts int) *state {
	return &state{
		self: self, parts: parts,
		Sessions: map[string]*session{}, Timers: map[int64]timer{}, Dedup: map[int]int64{},
		Instances: map[string]*row{}, Histories: map[string][]durable.Event{},
		Entities: map[string]*replay.EntityState{}, EntityUpdated: map[string]int64{}, Waiters: map[string][]waiter{},
		execs: map[string]*replay.Executor{},
	}
}

// dropExec closes and forgets an instance's cached cursor.
func (s *state) dropExec(instance string) {
	if x := s.execs[instance]; x != nil {
		x.Close()
		delete(s.execs, instance)
	}
}

// executor returns the instance's cursor, rebuilding it from history.
func (s *state) executor(reg *durable.Registry, instance string) *replay.Executor {
	if x := s.execs[instance]; x != nil {
		return x
	}
	x := replay.New(reg, instance)
	x.Replay(s.Histories[instance])
	s.execs[instance] = x
	return x
}

// status is the client-facing status of an instance.
func (s *state) status(instance string) (durable.InstanceStatus, bool) {
	if durable.IsEntity(instance) {
		// An entity's status is its state (durable.ClientResponse).
		e := s.Entities[instance]
		if e == nil || !e.Exists {
			return durable.InstanceStatus{InstanceID: instance}, false
		}
		id, _ := durable.ParseEntityID(instance)
		return durable.InstanceStatus{InstanceID: instance, Name: id.Name, Status: durable.StatusRunning,
			Output: e.State, Updated: fromUnixNano(s.EntityUpdated[instance])}, true
	}
	r := s.Instances[instance]
	if r == nil {
		return durable.InstanceStatus{InstanceID: instance}, false
	}
	return durable.InstanceStatus{InstanceID: instance, Name: r.Name, Status: r.Status,
		Input: r.Input, Output: r.Output, CustomStatus: r.Custom, Failure: r.Failure,
		Created: fromUnixNano(r.Created), Updated: fromUnixNano(r.Updated)}, true
}

// sortedKeys returns m's keys in order (deterministic iteration).
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }
