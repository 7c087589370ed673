package original

import "bytes"

// An entity's row carries its dedup set, which for a WordCount reducer
// (150 mappers, 64 sequence numbers each) is ten thousand numbers to decode
// on every step. A core remembers the set of each entity row it wrote last
// beside the bytes it wrote; a read that returns exactly those bytes takes
// the set instead of decoding it. It is only a cache: the set is the one
// the bytes decode to, so the step is the same; any other bytes (another
// worker's write, a write that failed) are decoded as before.

// maxDedupMemo bounds the memo; when it is full it starts over.
const maxDedupMemo = 1024

type dedupMemo map[string]dedupMemoEntry

type dedupMemoEntry struct {
	enc []byte
	set dedupSet
}

// put remembers that the row of instance was written with enc, the
// encoding of set; set must not change afterwards.
func (m *dedupMemo) put(instance string, enc []byte, set dedupSet) {
	if *m == nil || len(*m) >= maxDedupMemo {
		*m = dedupMemo{}
	}
	(*m)[instance] = dedupMemoEntry{enc: enc, set: set}
}

// take returns the set whose encoding is enc if it is the one remembered
// for instance (nil otherwise), and forgets it: the caller's step changes it.
func (m *dedupMemo) take(instance string, enc []byte) dedupSet {
	e, ok := (*m)[instance]
	if !ok {
		return nil
	}
	delete(*m, instance)
	if len(enc) == 0 || !bytes.Equal(e.enc, enc) {
		return nil
	}
	return e.set
}
