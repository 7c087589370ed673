package trace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"

	"github.com/dflab/dflab/engine/port"
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	wordPrime = 0x9e3779b97f4a7c15
)

// Tracer records events: it always folds each line into a rolling hash and,
// if it has a writer, writes the line. It is not safe for concurrent use.
type Tracer struct {
	w     io.Writer
	hash  uint64
	lines uint64
	err   error
	line  Line
}

// Line is one trace line being built; get it from Tracer.Begin, add fields,
// and finish it with End. Do not keep it after End.
type Line struct {
	t   *Tracer
	buf []byte
}

// New returns a Tracer writing lines to w; w may be nil to keep only the hash.
func New(w io.Writer) *Tracer {
	t := &Tracer{w: w, hash: fnvOffset}
	t.line.t = t
	t.line.buf = make([]byte, 0, 256)
	return t
}

// Hash returns the rolling hash of all lines recorded so far.
func (t *Tracer) Hash() uint64 { return t.hash }

// HashString returns Hash as 16 hex digits.
func (t *Tracer) HashString() string { return fmt.Sprintf("%016x", t.hash) }

// Lines returns the number of lines recorded.
func (t *Tracer) Lines() uint64 { return t.lines }

// Err returns the first error the writer returned, if any. Later lines are
// still hashed but no longer written.
func (t *Tracer) Err() error { return t.err }

// Writing reports whether lines are written (a writer is attached and has
// not failed); callers may skip building optional detail when false.
func (t *Tracer) Writing() bool { return t.w != nil && t.err == nil }

// Begin starts a line for an event at now in component comp. The line holds
// "<seconds>.<nanoseconds> <comp> <what>".
func (t *Tracer) Begin(now port.Time, comp, what string) *Line {
	l := &t.line
	l.buf = AppendTime(l.buf[:0], now)
	l.buf = append(l.buf, ' ')
	l.buf = appendWord(l.buf, comp)
	l.buf = append(l.buf, ' ')
	l.buf = appendWord(l.buf, what)
	return l
}

// Event records a line with no fields.
func (t *Tracer) Event(now port.Time, comp, what string) { t.Begin(now, comp, what).End() }

// Str adds the field key=value (value quoted if it holds spaces, quotes,
// '=' or control characters).
func (l *Line) Str(key, value string) *Line {
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, '=')
	l.buf = appendWord(l.buf, value)
	return l
}

// Int adds the field key=value.
func (l *Line) Int(key string, value int64) *Line {
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, '=')
	l.buf = strconv.AppendInt(l.buf, value, 10)
	return l
}

// Uint adds the field key=value.
func (l *Line) Uint(key string, value uint64) *Line {
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, '=')
	l.buf = strconv.AppendUint(l.buf, value, 10)
	return l
}

// Bool adds the field key=true or key=false.
func (l *Line) Bool(key string, value bool) *Line {
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, '=')
	l.buf = strconv.AppendBool(l.buf, value)
	return l
}

// Time adds the field key=<seconds>.<nanoseconds>.
func (l *Line) Time(key string, value port.Time) *Line {
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, '=')
	l.buf = AppendTime(l.buf, value)
	return l
}

// End finishes the line: it is hashed and, with a writer, written.
func (l *Line) End() {
	l.buf = append(l.buf, '\n')
	t := l.t
	t.hash = hashLine(t.hash, l.buf)
	t.lines++
	if t.w != nil && t.err == nil {
		if _, err := t.w.Write(l.buf); err != nil {
			t.err = fmt.Errorf("trace: writing line %d: %w", t.lines, err)
		}
	}
}

// HashBytes returns the hash a Tracer would report after recording the
// trace text b (whole lines, each ending in a newline).
func HashBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for len(b) > 0 {
		n := bytes.IndexByte(b, '\n') + 1
		if n == 0 {
			n = len(b)
		}
		h = hashLine(h, b[:n])
		b = b[n:]
	}
	return h
}

// hashLine folds one line into h: 8-byte little-endian words by
// xor-multiply-xorshift, then the tail bytes by FNV-1a.
func hashLine(h uint64, b []byte) uint64 {
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * wordPrime
		h ^= h >> 29
		b = b[8:]
	}
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// AppendTime appends t as seconds with nine decimals, e.g. "12.000345000".
func AppendTime(b []byte, t port.Time) []byte {
	v := int64(t)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/int64(port.Second), 10)
	b = append(b, '.')
	frac := v % int64(port.Second)
	// Nine digits, zero-padded: write frac+10^9 and drop the leading '1'.
	n := len(b)
	b = strconv.AppendInt(b, frac+int64(port.Second), 10)
	copy(b[n:], b[n+1:])
	return b[:len(b)-1]
}

// appendWord appends s, quoted if it would not read back as one word.
func appendWord(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '=' || c == '"' || c == 0x7f {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}
