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
}

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

// Reset frees every core at now (a crashed node loses its queued work).
func (c *CPU) Reset(now port.Time) {
	for i := range c.free {
		c.free[i] = now
	}
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
