package wordcount

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// A reducer decodes and encodes its whole state on every operation. Through
// encoding/json's reflection that was most of a WordCount run's CPU, so
// ReducerState has a hand-written codec: MarshalJSON writes the bytes
// encoding/json writes for the struct (fields in order, omitempty kept) and
// UnmarshalJSON reads exactly that form, handing anything else (white
// space, escapes, other field orders) to encoding/json.

// reducerStateJSON is ReducerState without its codec, for encoding/json.
type reducerStateJSON ReducerState

// MarshalJSON writes {"counts":{...},"words":N,"done":[...],"reported":B},
// counts and done left out when empty.
func (s ReducerState) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 48+16*len(s.Counts)+4*len(s.Done))
	out = append(out, '{')
	if len(s.Counts) > 0 {
		c, err := s.Counts.MarshalJSON()
		if err != nil {
			return nil, err
		}
		out = append(out, `"counts":`...)
		out = append(out, c...)
		out = append(out, ',')
	}
	out = append(out, `"words":`...)
	out = strconv.AppendInt(out, s.Words, 10)
	return appendStateTail(out, s.Done, s.Reported), nil
}

// UnmarshalJSON reads a whole state: what MarshalJSON writes directly,
// any other JSON through encoding/json.
func (s *ReducerState) UnmarshalJSON(b []byte) error {
	if st, ok := parseReducerState(b); ok {
		*s = st
		return nil
	}
	if err := json.Unmarshal(b, (*reducerStateJSON)(s)); err != nil {
		return fmt.Errorf("reducer state: %w", err)
	}
	return nil
}

// parseReducerState parses MarshalJSON's form; ok is false for anything else.
func parseReducerState(b []byte) (st ReducerState, ok bool) {
	p, ok := cut(b, "{")
	if !ok {
		return st, false
	}
	if p, ok = cut(p, `"counts":`); ok {
		n, ok := objectEnd(p)
		if !ok {
			return st, false
		}
		if st.Counts, ok = parsePlain(p[:n]); !ok {
			return st, false
		}
		if p, ok = cut(p[n:], ","); !ok {
			return st, false
		}
	}
	if p, ok = cut(p, `"words":`); !ok {
		return st, false
	}
	if st.Words, p, ok = integer(p); !ok {
		return st, false
	}
	if q, ok := cut(p, `,"done":[`); ok {
		for p = q; ; {
			var d int64
			if d, p, ok = integer(p); !ok {
				return st, false
			}
			st.Done = append(st.Done, int(d))
			if q, ok := cut(p, ","); ok {
				p = q
				continue
			}
			if p, ok = cut(p, "]"); !ok {
				return st, false
			}
			break
		}
	}
	if p, ok = cut(p, `,"reported":`); !ok {
		return st, false
	}
	switch {
	case bytes.Equal(p, []byte("true}")):
		st.Reported = true
	case bytes.Equal(p, []byte("false}")):
	default:
		return st, false
	}
	return st, true
}

// cut returns p after prefix, if p starts with it.
func cut(p []byte, prefix string) ([]byte, bool) {
	if len(p) < len(prefix) || string(p[:len(prefix)]) != prefix {
		return p, false
	}
	return p[len(prefix):], true
}

// integer reads a decimal integer at the start of p.
func integer(p []byte) (int64, []byte, bool) {
	n := 0
	if n < len(p) && p[n] == '-' {
		n++
	}
	digits := n
	for n < len(p) && p[n] >= '0' && p[n] <= '9' {
		n++
	}
	if n-digits > 1 && p[digits] == '0' { // JSON has no leading zeros
		return 0, p, false
	}
	v, err := strconv.ParseInt(string(p[:n]), 10, 64)
	if err != nil {
		return 0, p, false
	}
	return v, p[n:], true
}

// objectEnd is the length of the object {"k":n,...} at the start of p
// whose keys hold no escapes; ok is false otherwise.
func objectEnd(p []byte) (int, bool) {
	if len(p) == 0 || p[0] != '{' {
		return 0, false
	}
	for i := 1; i < len(p); {
		switch p[i] {
		case '"':
			j := bytes.IndexByte(p[i+1:], '"')
			if j < 0 || bytes.IndexByte(p[i+1:i+1+j], '\\') >= 0 {
				return 0, false
			}
			i += j + 2
		case '}':
			return i + 1, true
		default:
			i++
		}
	}
	return 0, false
}

// appendStateTail appends what follows a reducer state's word total: the
// mappers done, whether it reported, and the closing brace. The plain
// encoder and the memoized one (reducermemo.go) share it, so their bytes
// agree.
func appendStateTail(out []byte, done []int, reported bool) []byte {
	if len(done) > 0 {
		out = append(out, `,"done":[`...)
		for i, d := range done {
			if i > 0 {
				out = append(out, ',')
			}
			out = strconv.AppendInt(out, int64(d), 10)
		}
		out = append(out, ']')
	}
	out = append(out, `,"reported":`...)
	out = strconv.AppendBool(out, reported)
	return append(out, '}')
}
