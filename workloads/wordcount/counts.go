package wordcount

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Counts maps words to counts. A reducer's state is decoded and encoded
// on every operation, so Counts has a hand-written JSON codec (sorted
// keys, the same bytes encoding/json would write) several times faster
// than encoding/json's map codec.
type Counts map[string]int64

// MarshalJSON writes {"word":count,...} with keys sorted.
func (c Counts) MarshalJSON() ([]byte, error) {
	if c == nil {
		return []byte("null"), nil
	}
	keys := make([]string, 0, len(c))
	size := 2
	for k := range c {
		keys = append(keys, k)
		size += len(k) + 8
	}
	slices.Sort(keys)
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		if plain(k) {
			out = append(out, '"')
			out = append(out, k...)
			out = append(out, '"')
		} else {
			q, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			out = append(out, q...)
		}
		out = append(out, ':')
		out = strconv.AppendInt(out, c[k], 10)
	}
	return append(out, '}'), nil
}

// plain reports whether s needs no escaping in JSON (encoding/json also
// escapes <, > and &).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 || b >= 0x80 || b == '"' || b == '\\' || b == '<' || b == '>' || b == '&' {
			return false
		}
	}
	return true
}

// UnmarshalJSON reads what MarshalJSON writes; keys with escapes fall back
// to encoding/json.
func (c *Counts) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*c = nil
		return nil
	}
	m, ok := parsePlain(b)
	if !ok {
		var slow map[string]int64
		if err := json.Unmarshal(b, &slow); err != nil {
			return fmt.Errorf("word counts: %w", err)
		}
		m = slow
	}
	*c = m
	return nil
}

// parsePlain parses {"k":n,...} with unescaped keys and integer values
// and no white space; ok is false for anything else.
func parsePlain(b []byte) (Counts, bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, false
	}
	m := make(Counts, bytes.Count(b, []byte(",\""))+1) // one entry per key
	i := 1
	for i < len(b)-1 {
		if b[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < len(b) && b[j] != '"' && b[j] != '\\' {
			j++
		}
		if j+1 >= len(b) || b[j] != '"' || b[j+1] != ':' {
			return nil, false
		}
		key := string(b[i+1 : j])
		k := j + 2
		for k < len(b)-1 && b[k] != ',' {
			k++
		}
		n, err := strconv.ParseInt(string(b[j+2:k]), 10, 64)
		if err != nil {
			return nil, false
		}
		m[key] = n
		i = k
		if b[i] == ',' {
			i++
			if i == len(b)-1 {
				return nil, false
			}
		}
	}
	return m, true
}
