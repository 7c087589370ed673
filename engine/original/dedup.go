package original

import (
	"encoding/binary"
	"sort"

	"github.com/dflab/dflab/engine/durable"
)

// Duplicate detection. A step redone after a crash resends its messages;
// receivers that task ids do not protect (entities, and orchestrations
// receiving events from other orchestrations) drop them by (sender,
// sequence number). A sequence number names what produced the message, so
// a redone step gives a message the same number even if its batch differs
// or arrives in another order: an orchestration's message is numbered by
// the action that sent it (its task id within the execution), an entity's
// as entitySeq says. Messages are not assumed to arrive in order (a message
// of a crashed step reappears only after its visibility timeout, after
// later messages of the same sender), so a receiver remembers, per
// sender, the last dedupPerSender numbers it applied, and at most
// dedupSenders senders (the least recently heard from is forgotten).
const (
	dedupPerSender = 64
	dedupSenders   = 1024
)

// dedupSet is the receiver's memory, kept in its durable row.
type dedupSet map[string]dedupEntry

// dedupEntry is what one sender delivered recently.
type dedupEntry struct {
	touched uint64   // the receiver's clock when the sender was last heard
	seen    []uint64 // sequence numbers applied, oldest first
	index   uint64   // the last numbered message applied (envelope.Index)
}

// accept records (sender, seq) and reports whether it is new. Messages
// without a sender (from clients and activities) are always new.
func (d dedupSet) accept(sender string, seq uint64) bool {
	if sender == "" || seq == 0 {
		return true
	}
	ok, _ := d.acceptAt(sender, seq, d.clock())
	return ok
}

// acceptAt is accept for a sender and a non-zero seq given d's clock
// (d.clock()); it also returns the clock after, so that a caller applying
// many messages walks the set once: an accepted message raises it by one
// (its sender's touch is the newest), a duplicate leaves it, and it is
// walked again only if evict forgot the sender just touched (every other
// sender being numbered).
func (d dedupSet) acceptAt(sender string, seq uint64, clock uint64) (bool, uint64) {
	e := d[sender]
	for _, s := range e.seen {
		if s == seq {
			return false, clock
		}
	}
	e.seen = append(e.seen, seq)
	if len(e.seen) > dedupPerSender {
		e.seen = append(e.seen[:0:0], e.seen[len(e.seen)-dedupPerSender:]...)
	}
	e.touched = clock + 1
	d[sender] = e
	if len(d) > dedupSenders {
		d.evict()
		if _, ok := d[sender]; !ok {
			return true, d.clock()
		}
	}
	return true, clock + 1
}

// numbered returns the index of the last numbered message applied from
// sender (envelope.Index; 0: none).
func (d dedupSet) numbered(sender string) uint64 { return d[sender].index }

// number records that sender's numbered message index was applied.
func (d dedupSet) number(sender string, index uint64) {
	e := d[sender]
	e.index = index
	d[sender] = e
}

// seen reports whether (sender, seq) was applied (and is remembered).
func (d dedupSet) seen(sender string, seq uint64) bool {
	if sender == "" || seq == 0 {
		return false
	}
	for _, s := range d[sender].seen {
		if s == seq {
			return true
		}
	}
	return false
}

// clock is the latest touch.
func (d dedupSet) clock() uint64 {
	var c uint64
	for _, e := range d {
		c = max(c, e.touched)
	}
	return c
}

// evict forgets the least recently heard sender that sends no numbered
// messages (ties: the smallest name).
func (d dedupSet) evict() {
	victim, oldest := "", uint64(0)
	for s, e := range d {
		if e.index != 0 {
			continue // never forget where a numbered sender is, or its next message would wait forever
		}
		if victim == "" || e.touched < oldest || e.touched == oldest && s < victim {
			victim, oldest = s, e.touched
		}
	}
	delete(d, victim)
}

// clone copies the set, so a step that is abandoned leaves the original.
func (d dedupSet) clone() dedupSet {
	c := make(dedupSet, len(d))
	for k, v := range d {
		c[k] = dedupEntry{touched: v.touched, seen: append([]uint64(nil), v.seen...), index: v.index}
	}
	return c
}

func encodeDedup(d dedupSet) []byte { return appendDedup(nil, d, appendDedupEntry) }

// appendDedup appends d's encoding: the number of senders, then each
// sender's entry in name order, written by entry.
func appendDedup(b []byte, d dedupSet, entry func(b []byte, sender string, e dedupEntry) []byte) []byte {
	senders := make([]string, 0, len(d))
	size := binary.MaxVarintLen64
	for s, e := range d {
		senders = append(senders, s)
		size += len(s) + (4+len(e.seen))*binary.MaxVarintLen64
	}
	sort.Strings(senders)
	if b == nil {
		b = make([]byte, 0, size)
	}
	b = binary.AppendUvarint(b, uint64(len(senders)))
	for _, s := range senders {
		b = entry(b, s, d[s])
	}
	return b
}

// appendDedupEntry appends one sender's entry.
func appendDedupEntry(b []byte, s string, e dedupEntry) []byte {
	b = appendStr(b, s)
	b = binary.AppendUvarint(b, e.touched)
	b = binary.AppendUvarint(b, e.index)
	b = binary.AppendUvarint(b, uint64(len(e.seen)))
	for _, i := range e.seen {
		b = binary.AppendUvarint(b, i)
	}
	return b
}

func decodeDedup(b []byte) (dedupSet, error) {
	d := dedupSet{}
	if len(b) == 0 {
		return d, nil
	}
	r := reader{b: b}
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		s := r.str()
		e := dedupEntry{touched: r.uvarint(), index: r.uvarint()}
		k := r.uvarint()
		if k > 0 && k <= uint64(len(r.b)) { // each number is at least a byte
			e.seen = make([]uint64, 0, k)
		}
		for j := uint64(0); j < k && r.err == nil; j++ {
			e.seen = append(e.seen, r.uvarint())
		}
		d[s] = e
	}
	return d, r.err
}

// entitySeq numbers a message an entity sends by what it is, so that a
// redone step gives it the same number whatever its batch: a lock forward
// by its critical section and position, a grant or a response by its
// request, a signal by the entity's operation count before the input that
// produced it, its index among that input's outputs and its content.
func entitySeq(m *durable.Message, opsBefore uint64, k int) uint64 {
	e := &m.Event
	var h hash64
	h.str(e.Kind.String())
	switch e.Kind {
	case durable.EntityLockRequested:
		h.str(e.Request)
		h.u64(uint64(e.ID))
	case durable.EntityLockGranted, durable.EntityResponded:
		h.str(e.Request)
	default:
		h.u64(opsBefore)
		h.u64(uint64(k))
		h.str(m.To)
		h.str(e.Name)
		h.str(string(e.Payload))
	}
	return max(uint64(h.sum()), 1)
}

// hash64 is FNV-1a over length-prefixed fields.
type hash64 uint64

func (h *hash64) sum() uint64 {
	if *h == 0 {
		return 14695981039346656037
	}
	return uint64(*h)
}

func (h *hash64) byte(b byte) {
	v := h.sum()
	v ^= uint64(b)
	v *= 1099511628211
	*h = hash64(v)
}

func (h *hash64) u64(v uint64) {
	for i := 0; i < 8; i++ {
		h.byte(byte(v >> (8 * i)))
	}
}

func (h *hash64) str(s string) {
	h.u64(uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h.byte(s[i])
	}
}
