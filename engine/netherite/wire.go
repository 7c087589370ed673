package netherite

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

// ErrCorrupt is wrapped by every decoding error of log records, stream
// records and checkpoints.
var ErrCorrupt = errors.New("netherite: corrupt encoding")

// enc appends a compact binary encoding: varints, length-prefixed bytes,
// and durable events through durable.AppendEvent.
type enc struct{ b []byte }

func (e *enc) uint(v uint64)  { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) int(v int64)    { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) str(s string)   { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) bytes(p []byte) { e.bool(p != nil); e.uint(uint64(len(p))); e.b = append(e.b, p...) }
func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *enc) event(ev *durable.Event) { e.b = durable.AppendEvent(e.b, ev) }
func (e *enc) events(evs []durable.Event) {
	e.uint(uint64(len(evs)))
	for i := range evs {
		e.event(&evs[i])
	}
}
func (e *enc) messages(ms []durable.Message) {
	e.uint(uint64(len(ms)))
	for i := range ms {
		e.str(ms[i].To)
		e.event(&ms[i].Event)
	}
}

// dec reads what enc wrote; the first error sticks.
type dec struct {
	b   []byte
	off int
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d", ErrCorrupt, what, d.off)
	}
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.off += n
	return v
}

func (d *dec) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

func (d *dec) count() int {
	n := d.uint()
	if d.err == nil && n > uint64(len(d.b)-d.off) {
		d.fail("length exceeds the bytes left")
		return 0
	}
	return int(n)
}

func (d *dec) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}

func (d *dec) bool() bool {
	if d.err != nil {
		return false
	}
	if d.off >= len(d.b) {
		d.fail("truncated")
		return false
	}
	v := d.b[d.off]
	d.off++
	return v == 1
}

func (d *dec) bytes() []byte {
	present := d.bool()
	n := d.count()
	if d.err != nil || !present {
		return nil
	}
	p := make([]byte, n)
	copy(p, d.b[d.off:])
	d.off += n
	return p
}

func (d *dec) event() durable.Event {
	if d.err != nil {
		return durable.Event{}
	}
	ev, n, err := durable.DecodeEvent(d.b[d.off:])
	if err != nil {
		d.err = fmt.Errorf("%w: %w", ErrCorrupt, err)
		return durable.Event{}
	}
	d.off += n
	return ev
}

func (d *dec) events() []durable.Event {
	n := d.count()
	if n == 0 {
		return nil
	}
	evs := make([]durable.Event, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		evs = append(evs, d.event())
	}
	return evs
}

func (d *dec) messages() []durable.Message {
	n := d.count()
	if n == 0 {
		return nil
	}
	ms := make([]durable.Message, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		to := d.str()
		ms = append(ms, durable.Message{To: to, Event: d.event()})
	}
	return ms
}
