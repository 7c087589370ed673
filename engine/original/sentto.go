package original

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// sentTo is the sequence number of the last message an entity sent to
// each entity, kept in its row. An entity's messages to another entity
// carry the previous one's number (envelope.Prev), as an orchestration's
// do, so the receiver applies them in send order even when a step's
// concurrent enqueues partly fail and its retry resends the missing ones
// after later ones landed (a WordCount mapper's counts arriving after its
// done signal). A redone step starts from the stored map and computes the
// same numbers.
type sentTo map[string]uint64

// maxSentTo bounds the receivers remembered; past it the smallest name is
// forgotten and the next message to it is unchained (Prev 0).
const maxSentTo = 1024

// chain records seq as the last message to receiver and returns the one
// before it (0: none).
func (s sentTo) chain(receiver string, seq uint64) uint64 {
	prev := s[receiver]
	s[receiver] = seq
	if len(s) > maxSentTo {
		names := make([]string, 0, len(s))
		for n := range s {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if n != receiver {
				delete(s, n)
				break
			}
		}
	}
	return prev
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
