package durable

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// EncodingVersion is the first byte of every encoded event. Decoders reject
// versions they do not know rather than guess.
const EncodingVersion = 1

// ErrCorrupt is wrapped by every decoding error.
var ErrCorrupt = errors.New("durable: corrupt event encoding")

// Presence bits: which optional fields follow the kind byte.
const (
	hasStatus = 1 << iota
	hasID
	hasAt
	hasName
	hasInstance
	hasRequest
	hasPayload
	hasFailure
	hasEntities
	hasVersion
)

// AppendEvent appends the binary encoding of e to dst: a version byte, the
// kind, a presence bitmap, then only the fields that are set (varints and
// length-prefixed bytes). It does not allocate when dst has room.
func AppendEvent(dst []byte, e *Event) []byte {
	var bits uint64
	if e.Status != 0 {
		bits |= hasStatus
	}
	if e.ID != 0 {
		bits |= hasID
	}
	if e.At != 0 {
		bits |= hasAt
	}
	if e.Name != "" {
		bits |= hasName
	}
	if e.Instance != "" {
		bits |= hasInstance
	}
	if e.Request != "" {
		bits |= hasRequest
	}
	if e.Payload != nil {
		bits |= hasPayload
	}
	if e.Failure != "" {
		bits |= hasFailure
	}
	if len(e.Entities) > 0 {
		bits |= hasEntities
	}
	if e.Version != "" {
		bits |= hasVersion
	}
	dst = append(dst, EncodingVersion, byte(e.Kind))
	dst = binary.AppendUvarint(dst, bits)
	if bits&hasStatus != 0 {
		dst = append(dst, byte(e.Status))
	}
	if bits&hasID != 0 {
		dst = binary.AppendVarint(dst, int64(e.ID))
	}
	if bits&hasAt != 0 {
		dst = binary.AppendVarint(dst, e.At)
	}
	dst = appendString(dst, bits&hasName != 0, e.Name)
	dst = appendString(dst, bits&hasInstance != 0, e.Instance)
	dst = appendString(dst, bits&hasRequest != 0, e.Request)
	if bits&hasPayload != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(e.Payload)))
		dst = append(dst, e.Payload...)
	}
	dst = appendString(dst, bits&hasFailure != 0, e.Failure)
	if bits&hasEntities != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(e.Entities)))
		for _, s := range e.Entities {
			dst = appendString(dst, true, s)
		}
	}
	dst = appendString(dst, bits&hasVersion != 0, e.Version)
	return dst
}

func appendString(dst []byte, present bool, s string) []byte {
	if !present {
		return dst
	}
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// DecodeEvent decodes one event from the front of src and returns it with
// the number of bytes it used. Strings and payload are copied out of src.
func DecodeEvent(src []byte) (Event, int, error) {
	d := decoder{buf: src}
	e := d.event()
	if d.err != nil {
		return Event{}, 0, d.err
	}
	return e, d.off, nil
}

// AppendEvents appends a count-prefixed list of events.
func AppendEvents(dst []byte, events []Event) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(events)))
	for i := range events {
		dst = AppendEvent(dst, &events[i])
	}
	return dst
}

// DecodeEvents decodes a list written by AppendEvents and returns it with
// the number of bytes used.
func DecodeEvents(src []byte) ([]Event, int, error) {
	d := decoder{buf: src}
	n := d.count()
	if d.err != nil {
		return nil, 0, d.err
	}
	events := make([]Event, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		events = append(events, d.event())
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	return events, d.off, nil
}

type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w at byte %d: %s", ErrCorrupt, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.buf) {
		d.fail("truncated")
		return 0
	}
	b := d.buf[d.off]
	d.off++
	return b
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// count reads a length that must fit in what is left of the buffer.
func (d *decoder) count() int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.buf)-d.off) {
		d.fail("length %d exceeds the %d bytes left", n, len(d.buf)-d.off)
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.count()
	if d.err != nil {
		return nil
	}
	b := make([]byte, n)
	copy(b, d.buf[d.off:])
	d.off += n
	return b
}

func (d *decoder) string() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.buf[d.off : d.off+n])
	d.off += n
	return s
}

func (d *decoder) event() Event {
	if v := d.byte(); d.err == nil && v != EncodingVersion {
		d.fail("unknown encoding version %d (this build reads version %d)", v, EncodingVersion)
	}
	var e Event
	e.Kind = EventKind(d.byte())
	if d.err == nil && (e.Kind == KindInvalid || e.Kind >= kindCount) {
		d.fail("unknown event kind %d", e.Kind)
	}
	bits := d.uvarint()
	if d.err == nil && bits >= hasVersion<<1 {
		d.fail("unknown field bits %#x", bits)
	}
	if bits&hasStatus != 0 {
		e.Status = Status(d.byte())
	}
	if bits&hasID != 0 {
		e.ID = int32(d.varint())
	}
	if bits&hasAt != 0 {
		e.At = d.varint()
	}
	if bits&hasName != 0 {
		e.Name = d.string()
	}
	if bits&hasInstance != 0 {
		e.Instance = d.string()
	}
	if bits&hasRequest != 0 {
		e.Request = d.string()
	}
	if bits&hasPayload != 0 {
		e.Payload = d.bytes()
	}
	if bits&hasFailure != 0 {
		e.Failure = d.string()
	}
	if bits&hasEntities != 0 {
		n := d.count()
		for i := 0; i < n && d.err == nil; i++ {
			e.Entities = append(e.Entities, d.string())
		}
	}
	if bits&hasVersion != 0 {
		e.Version = d.string()
	}
	return e
}
