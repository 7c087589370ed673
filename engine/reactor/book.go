package reactor

// book is the in-flight work of one kind (requests, timers or activities),
// by id. A core issues ids in increasing order and most work completes
// soon, so the pending ids sit in a short window: a ring indexed by
// id - base, with no hashing and, once the ring has grown to the window's
// size, no allocation on the hot path (a map per kind was a tenth of the
// original engine's simulation time). Work that stays pending while many
// later ids come and go (a long timer, a request a crash left in flight)
// moves to the old map, so that the window stays short.
type book[K Cont] struct {
	base uint64     // the id of the window's first entry
	ring []entry[K] // len is a power of two (or 0)
	head int        // the ring index of base
	n    int        // the window's length: ids base .. base+n-1
	live int        // the pending entries in the window
	old  map[uint64]slot[K]
}

// entry is one id of the window: its slot, if that id is pending.
type entry[K Cont] struct {
	s  slot[K]
	ok bool
}

// windowMin is the window length past which book moves the pending
// entries of a window that is mostly done work to old instead of growing.
const windowMin = 1024

func (b *book[K]) at(i int) *entry[K] { return &b.ring[(b.head+i)&(len(b.ring)-1)] }

// put records id (above every id put before, as the reactor's counters
// give) as pending with s.
func (b *book[K]) put(id uint64, s slot[K]) {
	if b.n == 0 {
		b.base = id
	}
	if id < b.base || id-b.base > 1<<40 {
		b.putOld(id, s)
		return
	}
	for uint64(b.n) <= id-b.base && uint64(len(b.ring)) <= id-b.base {
		if b.n >= windowMin && b.live*4 < b.n {
			b.compact()
			if b.n == 0 {
				b.base = id
			}
			continue
		}
		b.grow()
	}
	i := int(id - b.base)
	if i >= b.n {
		b.n = i + 1
	}
	e := b.at(i)
	if !e.ok {
		b.live++
	}
	*e = entry[K]{s: s, ok: true}
}

// grow doubles the ring, keeping the window's order.
func (b *book[K]) grow() {
	ring := make([]entry[K], max(16, 2*len(b.ring)))
	for i := 0; i < b.n; i++ {
		ring[i] = *b.at(i)
	}
	b.ring, b.head = ring, 0
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
	half := b.n / 2
	for i := 0; i < half; i++ {
		if e := b.at(i); e.ok {
			b.putOld(b.base+uint64(i), e.s)
			b.live--
		}
		*b.at(i) = entry[K]{}
	}
	b.head = (b.head + half) & (len(b.ring) - 1)
	b.base += uint64(half)
	b.n -= half
	b.trim()
}

// trim drops the done entries at the window's front.
func (b *book[K]) trim() {
	for b.n > 0 && !b.at(0).ok {
		b.head = (b.head + 1) & (len(b.ring) - 1)
		b.base++
		b.n--
	}
}

// take returns id's slot and whether id was pending, and forgets it.
func (b *book[K]) take(id uint64) (slot[K], bool) {
	if id >= b.base && id-b.base < uint64(b.n) {
		e := b.at(int(id - b.base))
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
	clear(b.ring)
	b.head, b.n, b.live = 0, 0, 0
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
	for i := 0; i < b.n; i++ {
		if e := b.at(i); e.ok {
			fn(b.base+uint64(i), &e.s)
		}
	}
}
