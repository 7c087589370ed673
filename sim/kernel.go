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
type entry struct {
	at   port.Time
	seq  uint64
	slot int32
}

// slot holds an event's callback; slots are reused through a free list.
type slot struct {
	h    Handler
	data uint64
	pos  int32 // index in heap, -1 when free
	gen  uint32
}

// Kernel is a discrete-event scheduler: a 4-ary min-heap of events ordered
// by (virtual time, sequence number), so events at the same time fire in
// the order they were scheduled. Virtual time only moves forward, to the
// time of the event being fired. Scheduling and firing allocate nothing once
// the heap and slot arrays have grown to the steady-state number of pending
// events. A Kernel is single-threaded.
type Kernel struct {
	now     port.Time
	seq     uint64
	heap    []entry
	slots   []slot
	free    []int32
	fired   uint64
	stopped bool
}

// NewKernel returns a kernel at virtual time start.
func NewKernel(start port.Time) *Kernel { return &Kernel{now: start} }

// Now returns the current virtual time.
func (k *Kernel) Now() port.Time { return k.now }

// Len returns the number of pending events.
func (k *Kernel) Len() int { return len(k.heap) }

// Fired returns the number of events fired so far.
func (k *Kernel) Fired() uint64 { return k.fired }

// NextAt returns the time of the next pending event, if any.
func (k *Kernel) NextAt() (port.Time, bool) {
	if len(k.heap) == 0 {
		return 0, false
	}
	return k.heap[0].at, true
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
	k.seq++
	pos := len(k.heap)
	k.heap = append(k.heap, entry{at: at, seq: k.seq, slot: s})
	sl.pos = int32(pos)
	k.up(pos)
	return EventID(uint64(sl.gen)<<32 | uint64(s+1))
}

// After schedules h after delay d from now (d < 0 counts as 0).
func (k *Kernel) After(d port.Time, h Handler, data uint64) EventID {
	if d < 0 {
		d = 0
	}
	return k.Schedule(k.now+d, h, data)
}

// Cancel removes a pending event in O(log n). It reports whether the event
// was pending; stale or zero IDs are ignored.
func (k *Kernel) Cancel(id EventID) bool {
	if id == 0 {
		return false
	}
	s := int32(uint32(id)) - 1
	if s < 0 || int(s) >= len(k.slots) {
		return false
	}
	sl := &k.slots[s]
	if sl.gen != uint32(id>>32) || sl.pos < 0 {
		return false
	}
	k.removeAt(int(sl.pos))
	k.release(s)
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
	return sl.gen == uint32(id>>32) && sl.pos >= 0
}

func (k *Kernel) release(s int32) {
	sl := &k.slots[s]
	sl.h = nil
	sl.pos = -1
	sl.gen++
	k.free = append(k.free, s)
}

// Step fires the next event, if any, and reports whether it fired one.
func (k *Kernel) Step() bool {
	if len(k.heap) == 0 {
		return false
	}
	e := k.heap[0]
	k.removeAt(0)
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
	for !k.stopped && len(k.heap) > 0 && k.heap[0].at <= t {
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

// removeAt deletes heap[i], keeping the heap property and slot positions.
func (k *Kernel) removeAt(i int) {
	last := len(k.heap) - 1
	if i != last {
		k.heap[i] = k.heap[last]
		k.slots[k.heap[i].slot].pos = int32(i)
	}
	k.heap = k.heap[:last]
	if i < last {
		if !k.up(i) {
			k.down(i)
		}
	}
}

// up sifts heap[i] towards the root and reports whether it moved.
func (k *Kernel) up(i int) bool {
	h := k.heap
	e := h[i]
	start := i
	for i > 0 {
		p := (i - 1) / 4
		if !less(&e, &h[p]) {
			break
		}
		h[i] = h[p]
		k.slots[h[i].slot].pos = int32(i)
		i = p
	}
	h[i] = e
	k.slots[e.slot].pos = int32(i)
	return i != start
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
		k.slots[h[i].slot].pos = int32(i)
		i = m
	}
	h[i] = e
	k.slots[e.slot].pos = int32(i)
}
