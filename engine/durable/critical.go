package durable

import (
	"fmt"
	"slices"
)

// CriticalSection is a set of entities locked by one orchestration.
// Locks are taken in one global (sorted) order, so two orchestrations
// locking overlapping sets never deadlock. Release it when done; the
// executor releases it anyway when the orchestration ends, so
// `defer cs.Release()` and an explicit Release at the return are the same.
type CriticalSection struct {
	ctx      *OrchestrationContext
	entities []string
	request  string
	released bool
}

// LockEntities enters a critical section on ids and blocks until every
// lock is held. Nested critical sections are not allowed. An entity the
// registry does not have fails it at once with a *TaskFailedError naming
// the registered entities (nothing is locked).
func (c *OrchestrationContext) LockEntities(ids ...EntityID) (*CriticalSection, error) {
	if c.critical != nil {
		return nil, fmt.Errorf("%w: nested critical section (already holding %v)", ErrLockRules, c.critical.entities)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: LockEntities needs at least one entity", ErrLockRules)
	}
	set := make([]string, len(ids))
	for i, id := range ids {
		set[i] = id.String()
	}
	slices.Sort(set)
	set = slices.Compact(set)
	ev := Event{Kind: EntityLockSent, Entities: set}
	t := c.rt.Schedule(&ev)
	cs := &CriticalSection{ctx: c, entities: set, request: ev.Request}
	c.critical = cs
	if err := t.Await(nil); err != nil {
		c.critical = nil
		return nil, err
	}
	return cs, nil
}

// Entities lists the locked entities' instance ids in lock order.
func (cs *CriticalSection) Entities() []string { return cs.entities }

// Release unlocks every entity of the critical section; calling it again
// does nothing.
func (cs *CriticalSection) Release() {
	if cs == nil || cs.released {
		return
	}
	cs.released = true
	for _, e := range cs.entities {
		cs.ctx.rt.Schedule(&Event{Kind: EntityUnlockSent, Instance: e, Request: cs.request})
	}
	cs.ctx.critical = nil
}

// CriticalSection returns the open critical section, or nil.
func (c *OrchestrationContext) CriticalSection() *CriticalSection { return c.critical }
