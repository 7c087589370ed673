package sim

import (
	"github.com/dflab/dflab/engine/port"
)

// The structural model of a simulated node (see doc.go): cores shared by
// every core run and worker item of the node (CPU, FIFO multi-server), a
// Functions host whose worker threads run the work kinds of
// HostModel.WorkerKinds in parallel, and activity slots.

// hostKinds is a HostModel compiled for lookups.
type hostKinds struct {
	worker, item map[string]bool
	background   port.Time // per invocation
}

func newHostKinds(h HostModel) hostKinds {
	k := hostKinds{worker: map[string]bool{}, item: map[string]bool{}, background: msToTime(h.BackgroundMsPerInvocation)}
	for _, w := range h.WorkerKinds {
		k.worker[w] = true
	}
	for _, w := range h.ItemKinds {
		k.item[w] = true
	}
	return k
}

// release is the outputs of one turn whose worker items run after the
// core's own part: they are released when the last item ends, and never
// before the outputs of the core's earlier turns.
type release struct {
	cr   *coreRun
	life uint64
	out  port.Ready
}

func (e *release) Handle(now port.Time, _ uint64) {
	cr := e.cr
	if e.life != cr.life {
		return
	}
	cr.pending--
	cr.d.tr.Event(now, cr.name, "release")
	cr.releaseOutputs(now, &e.out)
}

// releaseAfterWorkers ends a turn whose outputs wait for worker items (or
// for an earlier turn's): the turn's worker work (divided evenly among its
// items, at least 1) goes onto the node's cores now, followed by its
// background CPU, and the outputs are released when the last item ends,
// never before an earlier turn's. Items are placed when they arrive, now,
// so the node's cores stay FIFO.
func (cr *coreRun) releaseAfterWorkers(now port.Time) {
	d, n := cr.d, cr.node
	total, items, split := cr.workerCost, cr.workerItems, cr.workerSplit
	cr.workerCost, cr.workerItems, cr.workerSplit = 0, 0, 0
	at := max(now, cr.lastRelease)
	if total > 0 || items > 0 {
		k := max(split, items, 1)
		each, rest := total/port.Time(k), total%port.Time(k)
		for i := 0; i < k; i++ {
			c := each
			if i == 0 {
				c += rest
			}
			if _, e := n.cpu.Submit(now, c); e > at {
				at = e
			}
		}
		n.workerBusy += total
		if b := d.host.background; b > 0 && items > 0 {
			n.cpu.Defer(now, at, b*port.Time(items)) // runnable when the items end; Submit now unless the model defers it
		}
	}
	cr.lastRelease = at
	d.tr.Begin(now, cr.name, "workers").Int("items", int64(items)).Time("release", at).End()
	rel := &release{cr: cr, life: cr.life, out: cr.out}
	cr.out = port.Ready{}
	cr.pending++
	d.k.Schedule(at, rel, 0)
}

// backgroundEv charges background CPU on a node when an invocation ends
// (placed then, so the node's cores stay FIFO); a crash since cancels it.
type backgroundEv struct {
	n    *node
	life uint64
	dur  port.Time
}

func (e *backgroundEv) Handle(now port.Time, _ uint64) {
	if e.life == e.n.life {
		e.n.cpu.Defer(now, now, e.dur)
	}
}

// queuedActivity is an activity waiting for a slot of its node's host.
type queuedActivity struct {
	cr   *coreRun
	life uint64
	a    port.ActivityTask
}

// OrchestratorSlots returns maxConcurrentOrchestratorFunctions of a node
// under the model set (HostModel.OrchestratorSlotsPerCore × cores; 0: not
// modelled, the engine's own default applies).
func (d *Driver) OrchestratorSlots(id NodeID) int {
	return d.models.Host.OrchestratorSlotsPerCore * d.nodes[id].cpu.Cores()
}

// ActivitySlots returns maxConcurrentActivityFunctions of a node (0:
// unlimited).
func (d *Driver) ActivitySlots(id NodeID) int { return d.nodes[id].actSlots }

// takeSlot reports whether an activity may start on n now (and takes a
// slot); otherwise the caller queues it.
func (n *node) takeSlot() bool {
	if n.actSlots == 0 {
		return true
	}
	if n.actRunning >= n.actSlots {
		return false
	}
	n.actRunning++
	return true
}

// freeSlot ends an activity of node life that held a slot since began,
// and starts the next queued activity whose core is still alive.
func (n *node) freeSlot(now, began port.Time, life uint64) {
	if n.actSlots == 0 || life != n.life {
		return
	}
	n.actRunning--
	n.slotBusy += now - began
	for len(n.actQueue) > 0 {
		q := n.actQueue[0]
		n.actQueue[0] = queuedActivity{}
		n.actQueue = n.actQueue[1:]
		if q.life != q.cr.life {
			continue
		}
		n.actRunning++
		q.cr.runActivity(now, q.a)
		return
	}
}
