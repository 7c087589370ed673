package original

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// sentTo is, per entity an entity has sent messages to, the index of the
// last one (envelope.Index), kept in the sender's row. Numbering an
// entity's messages to each entity lets the receiver apply them in send
// order (an entity step enqueues its messages concurrently; when some
// fail, its retry resends them after later ones landed, e.g. a WordCount
// mapper's counts after its done signal) and drop a duplicate however
// many messages came after it (its window of remembered sequence numbers
// is bounded; a retried step may resend more). A redone step starts from
// the stored map and gives its messages the same indexes. The map has one
// entry per receiver, never forgotten: a forgotten one would restart at 1
// and its messages would be dropped as duplicates.
type sentTo map[string]uint64

// next numbers the next message to receiver.
func (s sentTo) next(receiver string) uint64 {
	s[receiver]++
	return s[receiver]
}

func (s sentTo) encode() []byte {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	b := binary.AppendUvarint(nil, uint64(len(names)))
	for _, n := range names {
		b = appendStr(b, n)
		b = binary.AppendUvarint(b, s[n])
	}
	return b
}

func decodeSentTo(p []byte) (sentTo, error) {
	s := sentTo{}
	if len(p) == 0 {
		return s, nil
	}
	r := reader{b: p}
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		name := r.str()
		s[name] = r.uvarint()
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return s, nil
}
