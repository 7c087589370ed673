package sql

import (
	"fmt"
	"slices"

	"github.com/dflab/dflab/engine/port"
)

// Config are the knobs of a Worker core. Start from Defaults; Validate
// rejects out-of-range values naming the field.
type Config struct {
	// Hub names the task hub (1..50 of [A-Za-z0-9_-]).
	Hub string
	// WorkerID names this worker: the lock owner it writes (1..100 chars).
	WorkerID string
	// Seed seeds the polling jitter.
	Seed uint64
	// Batch is the most events one LockNextOrchestration returns (the
	// provider's WorkItemBatchSize: 10..1000, default 10).
	Batch int
	// LockTimeout is how long a locked instance or task stays locked (the
	// provider's WorkItemLockTimeout: 10s..1h, default 2 min; from 50ms
	// here, so that simulations can make running steps outlast it — the
	// real deployment keeps the provider's 10s minimum).
	LockTimeout port.Time
	// PollMin, PollDelta and PollMax shape the back-off of empty polls
	// (1ms <= PollMin <= PollMax <= 60s, 0 <= PollDelta <= PollMax;
	// defaults 50ms, 50ms, 3s).
	PollMin, PollDelta, PollMax port.Time
	// MaxOrchestrations bounds the orchestration steps a worker runs at
	// once (1..10000, default 10).
	MaxOrchestrations int
	// MaxActivities bounds the activities a worker runs at once (1..10000,
	// default 10).
	MaxActivities int
	// RetryDelay is the pause after a failed poll (1ms..60s, default 1s).
	RetryDelay port.Time
	// Planted switches on one planted bug (Planted* constants) for the
	// fault campaign's tests; "" is none.
	Planted string
}

// Planted bugs (Config.Planted).
const (
	// PlantedSkipDuplicateCheck: a checkpoint refused as a duplicate
	// execution is committed again without its history rows and without
	// the check of the execution it read, so the
	// duplicate step's messages and tasks go out a second time (a provider
	// that ignored the History key violation).
	PlantedSkipDuplicateCheck = "skip-duplicate-check"
	// PlantedReleaseLockEarly: a step releases its instance's lock, with
	// the events it consumed, in a transaction of its own before its
	// checkpoint commits (the provider does both in one), so a crash or a
	// failed checkpoint in between loses the step, and another worker may
	// lock the instance meanwhile and commit a step of its own first.
	PlantedReleaseLockEarly = "release-lock-early"
)

// PlantedBugs lists the planted bugs.
var PlantedBugs = []string{PlantedSkipDuplicateCheck, PlantedReleaseLockEarly}

// Defaults returns the provider's defaults for a worker of hub.
func Defaults(hub, worker string) Config {
	return Config{Hub: hub, WorkerID: worker, Batch: 10, LockTimeout: 2 * 60 * port.Second,
		PollMin: 50 * port.Millisecond, PollDelta: 50 * port.Millisecond, PollMax: 3 * port.Second,
		MaxOrchestrations: 10, MaxActivities: 10, RetryDelay: port.Second}
}

func validHub(h string) error {
	if len(h) < 1 || len(h) > 50 {
		return fmt.Errorf("sql: Hub = %q: allowed 1..50 of [A-Za-z0-9_-]", h)
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("sql: Hub = %q: allowed 1..50 of [A-Za-z0-9_-]", h)
		}
	}
	return nil
}

// Validate checks the knobs.
func (c Config) Validate() error {
	if err := validHub(c.Hub); err != nil {
		return err
	}
	switch {
	case len(c.WorkerID) < 1 || len(c.WorkerID) > 100:
		return fmt.Errorf("sql: Config.WorkerID = %q: allowed 1..100 characters", c.WorkerID)
	case c.Batch < 10 || c.Batch > 1000:
		return fmt.Errorf("sql: Config.Batch = %d, allowed: 10..1000", c.Batch)
	case c.LockTimeout < 50*port.Millisecond || c.LockTimeout > 3600*port.Second:
		return fmt.Errorf("sql: Config.LockTimeout = %d ns, allowed: 50ms..1h", c.LockTimeout)
	case c.PollMin < port.Millisecond || c.PollMin > c.PollMax:
		return fmt.Errorf("sql: Config.PollMin = %d ns, allowed: 1ms..PollMax", c.PollMin)
	case c.PollMax > 60*port.Second:
		return fmt.Errorf("sql: Config.PollMax = %d ns, allowed: PollMin..60s", c.PollMax)
	case c.PollDelta < 0 || c.PollDelta > c.PollMax:
		return fmt.Errorf("sql: Config.PollDelta = %d ns, allowed: 0..PollMax", c.PollDelta)
	case c.MaxOrchestrations < 1 || c.MaxOrchestrations > 10000:
		return fmt.Errorf("sql: Config.MaxOrchestrations = %d, allowed: 1..10000", c.MaxOrchestrations)
	case c.MaxActivities < 1 || c.MaxActivities > 10000:
		return fmt.Errorf("sql: Config.MaxActivities = %d, allowed: 1..10000", c.MaxActivities)
	case c.RetryDelay < port.Millisecond || c.RetryDelay > 60*port.Second:
		return fmt.Errorf("sql: Config.RetryDelay = %d ns, allowed: 1ms..60s", c.RetryDelay)
	case c.Planted != "" && !slices.Contains(PlantedBugs, c.Planted):
		return fmt.Errorf("sql: Config.Planted = %q, allowed: \"\" or one of %v", c.Planted, PlantedBugs)
	}
	return nil
}
