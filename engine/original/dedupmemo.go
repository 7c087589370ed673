package original

import "bytes"

// An entity's row carries its dedup set, which for a WordCount reducer
// (150 mappers, 64 sequence numbers each) is ten thousand numbers to decode
// on every step. A core remembers the set of each entity row it wrote last
// beside the bytes it wrote; a read that returns exactly those bytes takes
// the set instead of decoding it. It is only a cache: the set is the one
// the bytes decode to, so the step is the same; any other bytes (another
// worker's write, a write that failed) are decoded as before.

// Encoding is cached per sender too: a step changes the entries of the few
// senders in its batch, and the others' encoded bytes are reused.

// maxDedupMemo bounds the memo; when it is full it starts over.
const maxDedupMemo = 1024

type dedupMemo struct {
	rows map[string]dedupMemoEntry
	segs map[string]dedupSegs // by instance; kept across steps
}

type dedupMemoEntry struct {
	enc []byte
	set dedupSet
}

// put remembers that the row of instance was written with enc, the
// encoding of set; set must not change afterwards.
func (m *dedupMemo) put(instance string, enc []byte, set dedupSet) {
	if m.rows == nil || len(m.rows) >= maxDedupMemo {
		m.rows = map[string]dedupMemoEntry{}
	}
	m.rows[instance] = dedupMemoEntry{enc: enc, set: set}
}

// take returns the set whose encoding is enc if it is the one remembered
// for instance (nil otherwise), and forgets it: the caller's step changes it.
func (m *dedupMemo) take(instance string, enc []byte) dedupSet {
	e, ok := m.rows[instance]
	if !ok {
		return nil
	}
	delete(m.rows, instance)
	if len(enc) == 0 || !bytes.Equal(e.enc, enc) {
		return nil
	}
	return e.set
}

// encode is encodeDedup(d), reusing the encoded entries of instance's
// last encoding that have not changed since.
func (m *dedupMemo) encode(instance string, d dedupSet) []byte {
	if m.segs == nil || len(m.segs) >= maxDedupMemo {
		m.segs = map[string]dedupSegs{}
	}
	old := m.segs[instance]
	segs := make(dedupSegs, len(d))
	b := appendDedup(nil, d, func(b []byte, s string, e dedupEntry) []byte {
		seg, ok := old[s]
		if !ok || !seg.same(e) {
			seg = dedupSeg{touched: e.touched, index: e.index, n: len(e.seen), enc: appendDedupEntry(nil, s, e)}
			if len(e.seen) > 0 {
				seg.seen = &e.seen[0]
			}
		}
		segs[s] = seg
		return append(b, seg.enc...)
	})
	m.segs[instance] = segs
	return b
}

// dedupSegs are one set's encoded entries by sender.
type dedupSegs map[string]dedupSeg

// dedupSeg is an entry and its encoding. An entry's seen numbers are never
// changed in place (accept appends, or copies when it trims), so the same
// first element and length are the same numbers.
type dedupSeg struct {
	touched, index uint64
	seen           *uint64
	n              int
	enc            []byte
}

func (g dedupSeg) same(e dedupEntry) bool {
	if g.touched != e.touched || g.index != e.index || g.n != len(e.seen) {
		return false
	}
	return g.n == 0 || g.seen == &e.seen[0]
}
