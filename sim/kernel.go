package sim

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// Handler is what an event runs when it fires. data is the word given to
// Schedule, so one Handler value (created once) can serve many events
// without allocating a closure per event.
type Handler interface {
	Handle(now port.Time, data uint64)
}

// HandlerFunc adapts a function to Handler. Converting a func to an
// interface does not allocate; build the func once and reuse it.
type HandlerFunc func(now port.Time, data uint64)

// Handle calls f.
func (f HandlerFunc) Handle(now port.Time, data uint64) { f(now, data) }

// EventID names a scheduled event so that it can be cancelled. The zero
// EventID names no event. IDs of fired or cancelled events go stale: Cancel
// on them is a no-op even after their slot is reused.
type EventID uint64

// entry is one heap element, kept inline so comparisons touch one array.
// gen is its slot's generation when it was scheduled: an entry whose slot
// has moved on was cancelled and is dropped when it reaches the top.
type entry struct {
	at   port.Time
	seq  uint64
	slot int32
	gen  uint32
}

// slot holds an event's callback; slots are reused through a free list.
type slot struct {
	h    Handler
	data uint64
	gen  uint32
	live bool // scheduled, neither fired nor cancelled
}

// Kernel is a discrete-event scheduler: a 4-ary min-heap of events ordered
// by (virtual time, sequence number), so events at the same time fire in
// the order they were scheduled. Virtual time only moves forward, to the
// time of the event being fired. Cancel frees the event's slot at once and
// leaves its heap entry to be dropped when it reaches the top (or when
// cancelled entries are half the heap, by a rebuild), so sifting never
// touches the slots. Scheduling and firing allocate nothing once the heap
// and slot arrays have grown to the steady-state number of pending events.
// A Kernel is single-threaded.
type Kernel struct {
	now       port.Time
	seq       uint64
	heap      []entry
	slots     []slot
	free      []int32
	cancelled int // entries of heap whose event was cancelled
	fired     uint64
	stopped   bool
}

// NewKernel returns a kernel at virtual time start.
func NewKernel(start port.Time) *Kernel { return &Kernel{now: start} }

// Now returns the current virtual time.
func (k *Kernel) Now() port.Time { return k.now }

// Len returns the number of pending events.
func (k *Kernel) Len() int { return len(k.heap) - k.cancelled }

// Fired returns the number of events fired so far.
func (k *Kernel) Fired() uint64 { return k.fired }

// NextAt returns the time of the next pending event, if any.
func (k *Kernel) NextAt() (port.Time, bool) {
	if !k.top() {
		return 0, false
	}
	return k.heap[0].at, true
}

// top drops cancelled entries from the top of the heap and reports
// whether a pending event is left (it is then heap[0]).
func (k *Kernel) top() bool {
	for len(k.heap) > 0 {
		e := &k.heap[0]
		if k.slots[e.slot].gen == e.gen {
			return true
		}
		k.cancelled--
		k.pop()
	}
	return false
}

// Schedule arranges for h.Handle(at, data) to run at virtual time at, after
// every event already scheduled for a time <= at. Scheduling in the past is
// a bug in the caller and panics.
func (k *Kernel) Schedule(at port.Time, h Handler, data uint64) EventID {
	if at < k.now {
		panic(fmt.Sprintf("sim: Schedule at %d, before now %d", at, k.now))
	}
	var s int32
	if n := len(k.free); n > 0 {
		s = k.free[n-1]
		k.free = k.free[:n-1]
	} else {
		s = int32(len(k.slots))
		k.slots = append(k.slots, slot{})
	}
	sl := &k.slots[s]
	sl.h = h
	sl.data = data
	sl.live = true
	k.seq++
	k.heap = append(k.heap, entry{at: at, seq: k.seq, slot: s, gen: sl.gen})
	k.up(len(k.heap) - 1)
	return EventID(uint64(sl.gen)<<32 | uint64(s+1))
}

// After schedules h after delay d from now (d < 0 counts as 0).
func (k *Kernel) After(d port.Time, h Handler, data uint64) EventID {
	if d < 0 {
		d = 0
	}
	return k.Schedule(k.now+d, h, data)
}

// Cancel removes a pending event. It reports whether the event was
// pending; stale or zero IDs are ignored.
func (k *Kernel) Cancel(id EventID) bool {
	if !k.Pending(id) {
		return false
	}
	k.release(int32(uint32(id)) - 1)
	k.cancelled++
	if k.cancelled > 512 && 2*k.cancelled > len(k.heap) {
		k.rebuild()
	}
	return true
}

// Pending reports whether id names an event that has not fired or been
// cancelled.
func (k *Kernel) Pending(id EventID) bool {
	s := int32(uint32(id)) - 1
	if id == 0 || s < 0 || int(s) >= len(k.slots) {
		return false
	}
	sl := &k.slots[s]
	return sl.gen == uint32(id>>32) && sl.live
}

func (k *Kernel) release(s int32) {
	sl := &k.slots[s]
	sl.h = nil
	sl.live = false
	sl.gen++
	k.free = append(k.free, s)
}

// rebuild drops every cancelled entry and heapifies what is left. Events
// fire by (time, seq), a total order, so the layout does not matter.
func (k *Kernel) rebuild() {
	kept := k.heap[:0]
	for _, e := range k.heap {
		if k.slots[e.slot].gen == e.gen {
			kept = append(kept, e)
		}
	}
	k.heap = kept
	k.cancelled = 0
	for i := (len(kept) - 2) / 4; i >= 0; i-- {
		k.down(i)
	}
}

// Step fires the next event, if any, and reports whether it fired one.
func (k *Kernel) Step() bool {
	if !k.top() {
		return false
	}
	e := k.heap[0]
	k.pop()
	sl := &k.slots[e.slot]
	h, data := sl.h, sl.data
	k.release(e.slot)
	k.now = e.at
	k.fired++
	h.Handle(e.at, data)
	return true
}

// Stop makes the current Run, RunUntil or RunN return after the event being
// fired. The next run call clears it.
func (k *Kernel) Stop() { k.stopped = true }

// Run fires events until none are pending (quiescence) or Stop is called,
// and returns how many it fired.
func (k *Kernel) Run() int {
	k.stopped = false
	n := 0
	for !k.stopped && k.Step() {
		n++
	}
	return n
}

// RunUntil fires every event due at or before t (unless stopped), then
// moves the clock to t if it is not already past it. It returns how many
// events it fired.
func (k *Kernel) RunUntil(t port.Time) int {
	k.stopped = false
	n := 0
	for !k.stopped && k.top() && k.heap[0].at <= t {
		k.Step()
		n++
	}
	if !k.stopped && k.now < t {
		k.now = t
	}
	return n
}

// RunN fires at most n events (fewer if quiescent or stopped) and returns
// how many it fired.
func (k *Kernel) RunN(n int) int {
	k.stopped = false
	i := 0
	for i < n && !k.stopped && k.Step() {
		i++
	}
	return i
}

func less(a, b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// pop deletes heap[0], keeping the heap property.
func (k *Kernel) pop() {
	last := len(k.heap) - 1
	k.heap[0] = k.heap[last]
	k.heap = k.heap[:last]
	if last > 0 {
		k.down(0)
	}
}

// up sifts heap[i] towards the root.
func (k *Kernel) up(i int) {
	h := k.heap
	e := h[i]
	for i > 0 {
		p := (i - 1) / 4
		if !less(&e, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// down sifts heap[i] towards the leaves.
func (k *Kernel) down(i int) {
	h := k.heap
	n := len(h)
	e := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}
