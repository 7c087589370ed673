package original

import (
	"encoding/binary"
	"sort"
)

// Duplicate detection. A step redone after a crash resends its messages;
// receivers that are not protected by task ids (entities, and
// orchestrations receiving events from other orchestrations) drop them by
// (sender, sequence number). A sender's sequence number is base<<20 |
// index: base grows with every step of the sender (an orchestration's
// history length, an entity's step counter) and index counts the messages
// of that step, so a redone step resends the same numbers. Steps of one
// sender are sequential, so a receiver only needs, per sender, the latest
// base and the indexes it has seen of it (a step's messages may arrive in
// any order).
const seqBits = 20

// dedupSet is the receiver's memory, kept in its durable row.
type dedupSet map[string]dedupEntry

// dedupEntry is what a sender's latest step delivered.
type dedupEntry struct {
	base uint64
	seen []uint64 // indexes, sorted
}

// accept records (sender, seq) and reports whether it is new. Messages
// without a sender (from clients and activities) are always new.
func (d dedupSet) accept(sender string, seq uint64) bool {
	if sender == "" || seq == 0 {
		return true
	}
	b, i := seq>>seqBits, seq&(1<<seqBits-1)
	e, ok := d[sender]
	switch {
	case ok && b < e.base:
		return false
	case !ok || b > e.base:
		d[sender] = dedupEntry{base: b, seen: []uint64{i}}
		return true
	}
	at := sort.Search(len(e.seen), func(k int) bool { return e.seen[k] >= i })
	if at < len(e.seen) && e.seen[at] == i {
		return false
	}
	e.seen = append(e.seen, 0)
	copy(e.seen[at+1:], e.seen[at:])
	e.seen[at] = i
	d[sender] = e
	return true
}

// clone copies the set, so a step that is abandoned leaves the original.
func (d dedupSet) clone() dedupSet {
	c := make(dedupSet, len(d))
	for k, v := range d {
		c[k] = dedupEntry{base: v.base, seen: append([]uint64(nil), v.seen...)}
	}
	return c
}

func encodeDedup(d dedupSet) []byte {
	senders := make([]string, 0, len(d))
	for s := range d {
		senders = append(senders, s)
	}
	sort.Strings(senders)
	b := binary.AppendUvarint(nil, uint64(len(senders)))
	for _, s := range senders {
		e := d[s]
		b = appendStr(b, s)
		b = binary.AppendUvarint(b, e.base)
		b = binary.AppendUvarint(b, uint64(len(e.seen)))
		for _, i := range e.seen {
			b = binary.AppendUvarint(b, i)
		}
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
		e := dedupEntry{base: r.uvarint()}
		k := r.uvarint()
		for j := uint64(0); j < k && r.err == nil; j++ {
			e.seen = append(e.seen, r.uvarint())
		}
		d[s] = e
	}
	return d, r.err
}
