package original

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

// Config are the knobs of a Worker core (the Client core uses Hub,
// ControlQueues, Seed and its own polling knobs). Start from Defaults and
// change fields; Validate rejects out-of-range values naming the field.
type Config struct {
	// Hub names the task hub: 3..40 of [a-z0-9], starting with a letter.
	Hub string
	// WorkerID names this worker (its lease id): 1..64 of [A-Za-z0-9-_.].
	WorkerID string
	// ControlQueues is C, the number of control queues (1..64; default 4,
	// the paper ran 12). Fixed for the life of a task hub.
	ControlQueues int
	// Nodes is the number of workers expected; each tries to own up to
	// ceil(ControlQueues/Nodes) control queues (1..1024, default 1).
	Nodes int
	// Seed seeds the polling jitter.
	Seed uint64
	// BatchSize is the messages per control-queue dequeue (1..32, default 32).
	BatchSize int
	// ControlVisibility hides dequeued control-queue messages (1s..7d,
	// default 5 min); a crashed step's messages reappear after it.
	ControlVisibility port.Time
	// WorkItemVisibility hides dequeued work items (1s..7d, default 5 min).
	WorkItemVisibility port.Time
	// MaxSessions bounds the instances a worker steps at once (1..10000,
	// default 10; Durable Functions uses 10 per core); further instances
	// wait in memory.
	MaxSessions int
	// BufferThreshold pauses control-queue polling while this many
	// dequeued messages are held in memory, not yet deleted or put back
	// (1..10000, default 256 as on Premium plans).
	BufferThreshold int
	// WorkItemBatch is the work items per dequeue (1..32, default 1: the
	// provider fetches one work item per request).
	WorkItemBatch int
	// MaxActivities bounds concurrent activities per worker (1..1000,
	// default 10).
	MaxActivities int
	// LeaseInterval is the control-queue lease duration (15s..60s, default 30s).
	LeaseInterval port.Time
	// LeaseRenewal is how often leases are renewed and balanced
	// (1s..LeaseInterval/2, default 10s).
	LeaseRenewal port.Time
	// PollMin and PollMax bound the randomized exponential back-off of
	// empty queues (1ms <= PollMin <= PollMax <= 60s; defaults 50ms, 30s).
	PollMin, PollMax port.Time
	// RetryDelay is how long a message that arrived before the history
	// expecting it is hidden again, and the pause after a failed request
	// (1ms..60s, default 1s).
	RetryDelay port.Time
	// MaxEarlyDequeues discards a message that has been put back for
	// arriving before its history this many times (1..10000, default 100;
	// e.g. an event for an instance that is never started). Each put-back
	// waits RetryDelay times the dequeue count, at most 10 times RetryDelay.
	MaxEarlyDequeues int
	// ExtendedSessions keeps each instance's replay.Executor and history in
	// memory between steps instead of querying and replaying the history
	// every step (default off, as the paper ran).
	ExtendedSessions bool
	// ReplayCheck, with ExtendedSessions, re-runs every step from the
	// cached history instead of resuming the cached executor, so that
	// IsReplaying and nondeterminism detection behave as without the cache
	// (on in tests and the fault campaign; off by default).
	ReplayCheck bool
	// Planted switches on one planted bug (Planted* constants), for the
	// fault campaign's tests that prove its checkers can fail. "" (the
	// default) is none; no other use.
	Planted string
}

// Planted bugs (Config.Planted). Each breaks the engine as a real bug would.
const (
	// PlantedSkipDedup: entities apply a redelivered message again.
	PlantedSkipDedup = "skip-dedup"
	// PlantedReleaseLockEarly: an entity releases its lock as soon as it
	// has taken it (and forwarded the request), not at the end of the
	// critical section.
	PlantedReleaseLockEarly = "release-lock-early"
	// PlantedLoseHistoryRow: a history write of several events loses its
	// last row (the committed length still counts it).
	PlantedLoseHistoryRow = "lose-history-row"
)

// PlantedBugs lists the allowed values of Config.Planted besides "".
var PlantedBugs = []string{PlantedSkipDedup, PlantedReleaseLockEarly, PlantedLoseHistoryRow}

func validPlanted(p string) error {
	if p == "" || slices.Contains(PlantedBugs, p) {
		return nil
	}
	return fmt.Errorf("original: Config.Planted = %q, allowed: \"\" (none), %s", p, strings.Join(PlantedBugs, ", "))
}

// Defaults returns the default knobs for hub and worker id.
func Defaults(hub, workerID string) Config {
	return Config{
		Hub: hub, WorkerID: workerID, ControlQueues: 4, Nodes: 1, BatchSize: port.MaxDequeue,
		ControlVisibility: 5 * 60 * port.Second, WorkItemVisibility: 5 * 60 * port.Second,
		WorkItemBatch: 1, MaxActivities: 10, MaxSessions: 10, BufferThreshold: 256, LeaseInterval: 30 * port.Second, LeaseRenewal: 10 * port.Second,
		PollMin: 50 * port.Millisecond, PollMax: 30 * port.Second, RetryDelay: port.Second, MaxEarlyDequeues: 100,
	}
}

// Validate checks every knob.
func (c Config) Validate() error {
	if err := validHub(c.Hub); err != nil {
		return err
	}
	if err := validWorkerID(c.WorkerID); err != nil {
		return err
	}
	checks := []struct {
		field    string
		v, lo, h int64
		allowed  string
	}{
		{"ControlQueues", int64(c.ControlQueues), 1, 64, "1..64"},
		{"Nodes", int64(c.Nodes), 1, 1024, "1..1024"},
		{"BatchSize", int64(c.BatchSize), 1, port.MaxDequeue, "1..32"},
		{"ControlVisibility", int64(c.ControlVisibility), int64(port.MinDequeueTimeout), int64(port.MaxVisibility), "1s..7d"},
		{"WorkItemVisibility", int64(c.WorkItemVisibility), int64(port.MinDequeueTimeout), int64(port.MaxVisibility), "1s..7d"},
		{"WorkItemBatch", int64(c.WorkItemBatch), 1, port.MaxDequeue, "1..32"},
		{"MaxSessions", int64(c.MaxSessions), 1, 10000, "1..10000"},
		{"BufferThreshold", int64(c.BufferThreshold), 1, 10000, "1..10000"},
		{"MaxActivities", int64(c.MaxActivities), 1, 1000, "1..1000"},
		{"LeaseInterval", int64(c.LeaseInterval), int64(port.LeaseMin), int64(port.LeaseMax), "15s..60s"},
		{"LeaseRenewal", int64(c.LeaseRenewal), int64(port.Second), int64(c.LeaseInterval / 2), "1s..LeaseInterval/2"},
		{"PollMin", int64(c.PollMin), int64(port.Millisecond), int64(c.PollMax), "1ms..PollMax"},
		{"PollMax", int64(c.PollMax), int64(c.PollMin), int64(60 * port.Second), "PollMin..60s"},
		{"MaxEarlyDequeues", int64(c.MaxEarlyDequeues), 1, 10000, "1..10000"},
		{"RetryDelay", int64(c.RetryDelay), int64(port.Millisecond), int64(60 * port.Second), "1ms..60s"},
	}
	for _, k := range checks {
		if k.v < k.lo || k.v > k.h {
			return fmt.Errorf("original: Config.%s = %d, allowed: %s", k.field, k.v, k.allowed)
		}
	}
	return validPlanted(c.Planted)
}

func validHub(h string) error {
	ok := len(h) >= 3 && len(h) <= 40 && h[0] >= 'a' && h[0] <= 'z'
	for i := 0; ok && i < len(h); i++ {
		ok = h[i] >= 'a' && h[i] <= 'z' || h[i] >= '0' && h[i] <= '9'
	}
	if !ok {
		return fmt.Errorf("original: Config.Hub = %q, allowed: 3..40 of [a-z0-9], starting with a letter", h)
	}
	return nil
}

func validWorkerID(id string) error {
	ok := len(id) >= 1 && len(id) <= 64
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
	}
	if !ok {
		return fmt.Errorf("original: Config.WorkerID = %q, allowed: 1..64 of [A-Za-z0-9-_.]", id)
	}
	return nil
}
