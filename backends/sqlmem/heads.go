package sqlmem

import (
	"container/heap"

	"github.com/dflab/dflab/engine/port"
)

// heads orders the instances that have NewEvents by the sequence number of
// their first one, so that lockNextOrchestration visits instances, not
// events: it used to walk NewEvents from the oldest and skip every event of
// a locked instance, and a WordCount reducer that holds its lock has
// thousands of signals queued (the walk was quadratic in the queue). The
// first visible event of a free instance in sequence order is the smallest
// first-visible event over the free instances, and no instance whose first
// event comes after the best found so far can beat it, so the walk stops
// there.
type heads []*head

// head is one instance with NewEvents: the sequence number of its first
// one (h.inbox[inst][0]) and its place in the heap.
type head struct {
	inst string
	seq  int64
	at   int
}

func (q heads) Len() int           { return len(q) }
func (q heads) Less(i, j int) bool { return q[i].seq < q[j].seq }
func (q heads) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].at, q[j].at = i, j
}
func (q *heads) Push(x any) {
	e := x.(*head)
	e.at = len(*q)
	*q = append(*q, e)
}
func (q *heads) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

// headChanged records that inst's inbox changed at its front: it is new,
// its first event went, or it is empty.
func (h *hub) headChanged(inst string) {
	box := h.inbox[inst]
	e := h.head[inst]
	switch {
	case len(box) == 0 && e != nil:
		heap.Remove(&h.heads, e.at)
		delete(h.head, inst)
	case len(box) == 0:
	case e == nil:
		e = &head{inst: inst, seq: box[0].seq}
		h.head[inst] = e
		heap.Push(&h.heads, e)
	case e.seq != box[0].seq:
		e.seq = box[0].seq
		heap.Fix(&h.heads, e.at)
	}
}

// firstFree returns the free instance whose first visible event comes
// first (nil if there is none).
func (h *hub) firstFree(now port.Time) *instance {
	var best *instance
	var bestSeq int64
	var taken []*head
	for h.heads.Len() > 0 {
		top := h.heads[0]
		if best != nil && top.seq > bestSeq {
			break
		}
		taken = append(taken, heap.Pop(&h.heads).(*head))
		in := h.instances[top.inst]
		if in == nil || !free(in.lockExpires, now) {
			continue
		}
		for _, e := range h.inbox[top.inst] {
			if visible(e.row.Visible, now) {
				if best == nil || e.seq < bestSeq {
					best, bestSeq = in, e.seq
				}
				break
			}
		}
	}
	for _, e := range taken {
		heap.Push(&h.heads, e)
	}
	return best
}
