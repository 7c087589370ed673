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
	// Begin's memory of the line before: consecutive lines often share
	// their time and component, which it then copies instead of formatting
	// and checking again.
	lastNow   port.Time
	nowText   []byte // AppendTime of lastNow (empty: none yet)
	plainComp string // the last component that needed no quoting
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
	if now != t.lastNow || len(t.nowText) == 0 {
		t.lastNow, t.nowText = now, AppendTime(t.nowText[:0], now)
	}
	l.buf = append(l.buf[:0], t.nowText...)
	l.buf = append(l.buf, ' ')
	if comp == t.plainComp && comp != "" {
		l.buf = append(l.buf, comp...)
	} else {
		n := len(l.buf)
		l.buf = appendWord(l.buf, comp)
		if len(l.buf)-n == len(comp) {
			t.plainComp = comp
		}
	}
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
	l.buf = appendInt(l.buf, value)
	return l
}

// Uint adds the field key=value.
func (l *Line) Uint(key string, value uint64) *Line {
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, '=')
	l.buf = appendUint(l.buf, value)
	return l
}

// Bool adds the field key=true or key=false.
func (l *Line) Bool(key string, value bool) *Line {
	l.buf = append(l.buf, ' ')
	l.buf = append(l.buf, key...)
	l.buf = append(l.buf, '=')
	if value {
		l.buf = append(l.buf, "true"...)
	} else {
		l.buf = append(l.buf, "false"...)
	}
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
	v := uint64(t)
	if t < 0 {
		b = append(b, '-')
		v = -v
	}
	b = appendUint(b, v/uint64(port.Second))
	// '.' and nine digits, zero-padded, written back to front.
	frac := uint32(v % uint64(port.Second))
	n := len(b)
	b = append(b, ".000000000"...)
	d := b[n+1 : n+10 : n+10]
	for i := 8; i > 0; i -= 2 {
		q := frac / 100
		r := frac - q*100
		d[i-1], d[i] = digitPairs[2*r], digitPairs[2*r+1]
		frac = q
	}
	d[0] = byte('0' + frac)
	return b
}

// digitPairs holds "00" to "99", two bytes each.
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendUint appends v in decimal, as strconv.AppendUint(b, v, 10) does,
// two digits at a time.
func appendUint(b []byte, v uint64) []byte {
	if v < 10 {
		return append(b, byte('0'+v))
	}
	var buf [20]byte
	i := len(buf)
	for v >= 100 {
		q := v / 100
		r := v - q*100
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*r], digitPairs[2*r+1]
		v = q
	}
	if v >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*v], digitPairs[2*v+1]
	} else {
		i--
		buf[i] = byte('0' + v)
	}
	return append(b, buf[i:]...)
}

// appendInt appends v in decimal, as strconv.AppendInt(b, v, 10) does.
func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendUint(append(b, '-'), -uint64(v))
	}
	return appendUint(b, uint64(v))
}

// appendWord appends s, quoted if it would not read back as one word.
// It checks 8 bytes at a time (specialIn): a short word padded with a
// plain byte, a long one by words and then its last 8 bytes.
func appendWord(b []byte, s string) []byte {
	n := len(s)
	var special bool
	switch {
	case n == 0:
		return append(b, `""`...)
	case n < 8:
		x := uint64('a' * ones)
		for i := n - 1; i >= 0; i-- {
			x = x<<8 | uint64(s[i])
		}
		special = specialIn(x)
	default:
		for i := 0; i+8 <= n && !special; i += 8 {
			special = specialIn(load8(s, i))
		}
		if n%8 != 0 && !special {
			special = specialIn(load8(s, n-8))
		}
	}
	if special {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// load8 returns s[i:i+8] as a little-endian word.
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// specialIn reports whether any of the 8 bytes of x needs quoting: a
// control character or space (below '!'), '=', '"' or DEL. "Some byte of x
// is below n" is (x - n·ones) &^ x & highs, exact (as a whole, not per
// byte) for n <= 128; "some byte is zero" is its case n = 1.
func specialIn(x uint64) bool {
	return (below(x, '!')|below(x^'='*ones, 1)|below(x^'"'*ones, 1)|below(x^0x7f*ones, 1))&highs != 0
}

func below(x, n uint64) uint64 { return (x - n*ones) &^ x }
