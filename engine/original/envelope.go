package original

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

// envelope is a queue message: an event for an instance plus what the
// engine needs to route, order and deduplicate it.
type envelope struct {
	To string
	// Sender and Seq identify the message for duplicate detection at
	// entities: Sender is the sending orchestration execution or entity,
	// Seq increases per sender and is the same when a crashed step is
	// redone. Sender "" means no deduplication (client messages).
	Sender string
	Seq    uint64
	// Prev is the Seq of the sender's previous message to the same entity
	// (0: none, or not tracked): the entity applies this one after it.
	// LockPrev (from LockPrevSender), on an orchestration's first message
	// to an entity inside a critical section, is the lock request the
	// previous entity of the lock chain forwarded to it.
	Prev           uint64
	LockPrev       uint64
	LockPrevSender string
	// Index, on a message from one entity to another, numbers it in the
	// sender's messages to that entity (1, 2, ...; 0: not numbered). The
	// receiver applies index last+1, drops index <= last as a duplicate
	// however old, and puts back a later one (sentto.go).
	Index uint64
	// Exec is the execution of To the message belongs to (0: whichever is
	// current); for an ExecutionStarted, the execution it starts.
	Exec  uint32
	Event durable.Event
}

// Message formats: an inline envelope, or a reference to a blob holding
// one (for envelopes over the queue's 64 KiB limit).
const (
	formatInline = 'M'
	formatBlob   = 'B'
	formatV1     = 2 // the envelope's layout version (2: with Index)
)

var errBadMessage = errors.New("original: malformed queue message")

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func encodeEnvelope(e *envelope) []byte {
	b := make([]byte, 0, 64+len(e.Event.Payload))
	b = append(b, formatInline, formatV1)
	b = appendStr(b, e.To)
	b = appendStr(b, e.Sender)
	b = binary.AppendUvarint(b, e.Seq)
	b = binary.AppendUvarint(b, e.Prev)
	b = binary.AppendUvarint(b, e.LockPrev)
	b = appendStr(b, e.LockPrevSender)
	b = binary.AppendUvarint(b, uint64(e.Exec))
	b = binary.AppendUvarint(b, e.Index)
	return durable.AppendEvent(b, &e.Event)
}

func encodeBlobRef(name string) []byte {
	return appendStr([]byte{formatBlob, formatV1}, name)
}

// decodeMessage decodes a queue message: an envelope, or (blob != "") the
// name of the blob holding it.
func decodeMessage(b []byte) (env envelope, blob string, err error) {
	if len(b) < 2 || b[1] != formatV1 {
		return env, "", fmt.Errorf("%w: bad header", errBadMessage)
	}
	r := reader{b: b[2:]}
	switch b[0] {
	case formatBlob:
		blob = r.str()
		return env, blob, r.err
	case formatInline:
	default:
		return env, "", fmt.Errorf("%w: format %q", errBadMessage, b[0])
	}
	env.To = r.str()
	env.Sender = r.str()
	env.Seq = r.uvarint()
	env.Prev = r.uvarint()
	env.LockPrev = r.uvarint()
	env.LockPrevSender = r.str()
	env.Exec = uint32(r.uvarint())
	env.Index = r.uvarint()
	if r.err != nil {
		return env, "", r.err
	}
	ev, _, err := durable.DecodeEvent(r.b)
	if err != nil {
		return env, "", fmt.Errorf("%w: %w", errBadMessage, err)
	}
	env.Event = ev
	return env, "", nil
}

// reader reads varints and strings, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: bad varint", errBadMessage)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: string of %d bytes, %d left", errBadMessage, n, len(r.b))
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
