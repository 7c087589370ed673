package sim

import (
	"strings"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
)

// CPU models one node's cores as a FIFO multi-server queue in virtual time:
// work items are taken in arrival order, each by the core that frees up
// first (lowest index on ties), and run to completion without preemption.
// Because items are placed in arrival order, placing an item when it
// arrives gives exactly FIFO queueing; no events are needed.
type CPU struct {
	free []port.Time // when each core is next free
	busy port.Time   // total CPU time charged

	// Deferred (low-priority) work, see Defer: chunks waiting for idle
	// core time, and how long one may wait before it is placed ahead of
	// the next item (0: Defer places work at once, like Submit).
	deferred []deferredWork
	maxDefer port.Time
}

// deferredWork is low-priority CPU work submitted at at with left still to
// run.
type deferredWork struct{ at, left port.Time }

// NewCPU returns a node with cores cores (at least 1).
func NewCPU(cores int) *CPU {
	if cores < 1 {
		cores = 1
	}
	return &CPU{free: make([]port.Time, cores)}
}

// Cores returns the number of cores.
func (c *CPU) Cores() int { return len(c.free) }

// Busy returns the total CPU time charged so far.
func (c *CPU) Busy() port.Time { return c.busy }

// Start picks the core for an item arriving at now and returns it with the
// time the item starts. The caller must call Finish for it before placing
// another item.
func (c *CPU) Start(now port.Time) (core int, start port.Time) {
	if len(c.deferred) > 0 {
		c.runDeferred(now)
	}
	for i, f := range c.free {
		if f < c.free[core] {
			core = i
		}
	}
	start = c.free[core]
	if start < now {
		start = now
	}
	return core, start
}

// Finish charges dur on core from start and returns when the item ends.
func (c *CPU) Finish(core int, start, dur port.Time) port.Time {
	if dur < 0 {
		dur = 0
	}
	end := start + dur
	c.free[core] = end
	c.busy += dur
	return end
}

// Submit queues an item of duration dur arriving at now and returns when it
// starts and ends.
func (c *CPU) Submit(now, dur port.Time) (start, end port.Time) {
	core, start := c.Start(now)
	return start, c.Finish(core, start, dur)
}

// Reset frees every core at now (a crashed node loses its queued work,
// deferred work too).
func (c *CPU) Reset(now port.Time) {
	for i := range c.free {
		c.free[i] = now
	}
	clear(c.deferred)
	c.deferred = c.deferred[:0]
}

// SetMaxDefer sets how long deferred work may wait for idle core time
// before it is placed ahead of the next item (0: Defer is Submit).
func (c *CPU) SetMaxDefer(d port.Time) { c.maxDefer = max(d, 0) }

// Defer submits low-priority work of duration dur that becomes runnable
// at at (later than now when it follows items that end then): it runs in
// the cores' idle time, so it delays no item, but once it has waited
// maxDefer (a starved thread gets its turn within the scheduler's latency
// bound) it is placed like any item when the next one arrives. On a busy
// node it therefore costs the same CPU time as Submit; on an idle one it
// costs no latency. With maxDefer 0 it is Submit at now (the caller's
// present, <= at).
func (c *CPU) Defer(now, at, dur port.Time) {
	if dur <= 0 {
		return
	}
	if c.maxDefer <= 0 {
		c.Submit(now, dur)
		return
	}
	c.deferred = append(c.deferred, deferredWork{at: at, left: dur})
}

// Deferred returns the deferred CPU time not run yet.
func (c *CPU) Deferred() port.Time {
	var t port.Time
	for _, w := range c.deferred {
		t += w.left
	}
	return t
}

// runDeferred runs deferred work, before an item arriving at now is
// placed: first in every core's idle time before now (oldest work first,
// never before it became runnable), then, placed like items, the rest of
// the work that has waited maxDefer by now. Nothing placed here starts
// the arriving item later than it would have without deferred work,
// except the work that waited too long.
func (c *CPU) runDeferred(now port.Time) {
	pending := c.deferred
	c.deferred = nil // so the Submit below does not come back here
	kept := pending[:0]
	for _, w := range pending {
		for i := range c.free {
			if w.left == 0 {
				break
			}
			from := max(c.free[i], w.at)
			if from >= now {
				continue
			}
			use := min(now-from, w.left)
			c.free[i] = from + use
			c.busy += use
			w.left -= use
		}
		if w.left > 0 && now-w.at >= c.maxDefer {
			c.Submit(max(now, w.at), w.left)
			w.left = 0
		}
		if w.left > 0 {
			kept = append(kept, w)
		}
	}
	clear(pending[len(kept):])
	c.deferred = kept
}

// costTable is a CPUModel compiled for lookups without string building.
type costTable struct {
	byPrefix [3]map[string]rng.Dist // input, work, activity
	fallback [3]*rng.Dist
}

const (
	costInput = iota
	costWork
	costActivity
)

var costPrefixes = [3]string{"input", "work", "activity"}

func newCostTable(m CPUModel) *costTable {
	t := &costTable{}
	for i := range t.byPrefix {
		t.byPrefix[i] = map[string]rng.Dist{}
	}
	for _, key := range sortedKeys(m.CostsMs) {
		prefix, name, _ := strings.Cut(key, ":")
		for i, p := range costPrefixes {
			if p != prefix {
				continue
			}
			d := m.CostsMs[key]
			if name == "*" {
				t.fallback[i] = &d
			} else {
				t.byPrefix[i][name] = d
			}
		}
	}
	return t
}

// cost samples the cost of one item of kind under prefix p (0 if unknown).
func (t *costTable) cost(p int, kind string, r *rng.Source) port.Time {
	if d, ok := t.byPrefix[p][kind]; ok {
		return msToTime(d.Sample(r))
	}
	if f := t.fallback[p]; f != nil {
		return msToTime(f.Sample(r))
	}
	return 0
}
