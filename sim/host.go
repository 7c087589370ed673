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

// runWorkers runs a turn's worker work (total CPU time, divided evenly
// among items, at least 1) on the node's cores from at, and returns when
// the last item ends.
func (cr *coreRun) runWorkers(at, total port.Time, items int) port.Time {
	if items < 1 {
		items = 1
	}
	n := cr.node
	each, rest := total/port.Time(items), total%port.Time(items)
	end := at
	for i := 0; i < items; i++ {
		c := each
		if i == 0 {
			c += rest
		}
		if _, e := n.cpu.Submit(at, c); e > end {
			end = e
		}
	}
	n.workerBusy += total
	cr.background(end, items)
	return end
}

// background charges n invocations' background CPU on the node from at.
func (cr *coreRun) background(at port.Time, n int) {
	if b := cr.d.host.background; b > 0 && n > 0 {
		cr.node.cpu.Submit(at, b*port.Time(n))
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
