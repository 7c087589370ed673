package reactor

import "slices"

// book is the in-flight work of one kind (requests, timers or activities),
// by id. A core issues ids in increasing order and most work completes
// soon, so the pending ids sit in a short window: a slice indexed by
// id - base, with no hashing on the hot path (a map per kind was a tenth
// of the original engine's simulation time). Work that stays pending while
// many later ids come and go (a long timer, a request a crash left in
// flight) moves to the old map, so that the window stays short.
type book[K Cont] struct {
	base uint64     // the id of win[0]
	win  []entry[K] // ids base .. base+len(win)-1
	live int        // the pending entries in win
	old  map[uint64]slot[K]
}

// entry is one id of the window: its slot, if that id is pending.
type entry[K Cont] struct {
	s  slot[K]
	ok bool
}

// windowMin is the window length past which book compacts a window that is
// mostly done work.
const windowMin = 1024

// put records id (at least every id put before, as the reactor's counters
// give) as pending with s.
func (b *book[K]) put(id uint64, s slot[K]) {
	if len(b.win) == 0 {
		b.base = id
	}
	if id < b.base {
		b.putOld(id, s)
		return
	}
	for uint64(len(b.win)) < id-b.base {
		b.win = append(b.win, entry[K]{})
	}
	if i := id - b.base; i < uint64(len(b.win)) {
		if !b.win[i].ok {
			b.live++
		}
		b.win[i] = entry[K]{s: s, ok: true}
		return
	}
	b.win = append(b.win, entry[K]{s: s, ok: true})
	b.live++
	if len(b.win) > windowMin && b.live*4 < len(b.win) {
		b.compact()
	}
}

func (b *book[K]) putOld(id uint64, s slot[K]) {
	if b.old == nil {
		b.old = map[uint64]slot[K]{}
	}
	b.old[id] = s
}

// compact moves the pending entries of the window's first half to old and
// drops that half.
func (b *book[K]) compact() {
	half := len(b.win) / 2
	for i := range b.win[:half] {
		if e := &b.win[i]; e.ok {
			b.putOld(b.base+uint64(i), e.s)
			b.live--
		}
	}
	b.win = slices.Clone(b.win[half:])
	b.base += uint64(half)
	b.trim()
}

// trim drops the done entries at the window's front.
func (b *book[K]) trim() {
	n := 0
	for n < len(b.win) && !b.win[n].ok {
		n++
	}
	if n == len(b.win) {
		clear(b.win)
		b.win = b.win[:0]
		return
	}
	b.win = b.win[n:]
	b.base += uint64(n)
}

// take returns id's slot and whether id was pending, and forgets it.
func (b *book[K]) take(id uint64) (slot[K], bool) {
	if id >= b.base && id-b.base < uint64(len(b.win)) {
		e := &b.win[id-b.base]
		if !e.ok {
			return slot[K]{}, false
		}
		s := e.s
		*e = entry[K]{}
		b.live--
		if id == b.base {
			b.trim()
		}
		return s, true
	}
	s, ok := b.old[id]
	if ok {
		delete(b.old, id)
	}
	return s, ok
}

// len is the number of pending ids.
func (b *book[K]) len() int { return b.live + len(b.old) }

// reset forgets every pending id.
func (b *book[K]) reset() {
	clear(b.win)
	b.win = b.win[:0]
	b.live = 0
	b.old = nil
}

// each calls fn with every pending id and its slot, old ones (in map
// order) then the window's in id order; fn may change the slot.
func (b *book[K]) each(fn func(id uint64, s *slot[K])) {
	//archtest:orderfree callers sort or treat each entry on its own
	for id, s := range b.old {
		fn(id, &s)
		b.old[id] = s
	}
	for i := range b.win {
		if e := &b.win[i]; e.ok {
			fn(b.base+uint64(i), &e.s)
		}
	}
}
