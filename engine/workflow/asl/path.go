package asl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Path is a JsonPath of the subset ASL needs: "$" (or "$$" for the context
// object) followed by fields (.name or ['name']), indexes ([n]) and the
// wildcard [*] (which makes the path select a list).
type Path struct {
	text    string
	context bool
	steps   []step
}

type step struct {
	field string
	index int // -1: a field; -2: wildcard
}

func (p *Path) String() string { return p.text }

// Reference reports whether p names a single node (no wildcard): the only
// paths ResultPath and the Variable of a Choice rule may be.
func (p *Path) Reference() bool {
	for _, s := range p.steps {
		if s.index == -2 {
			return false
		}
	}
	return true
}

func mustPath(s string) *Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// ParsePath parses a path.
func ParsePath(s string) (*Path, error) {
	p := &Path{text: s}
	rest, ok := strings.CutPrefix(s, "$$")
	if ok {
		p.context = true
	} else if rest, ok = strings.CutPrefix(s, "$"); !ok {
		return nil, fmt.Errorf("path %q: must start with $", s)
	}
	for rest != "" {
		switch {
		case rest[0] == '.':
			n := strings.IndexAny(rest[1:], ".[")
			if n < 0 {
				n = len(rest) - 1
			}
			name := rest[1 : 1+n]
			if name == "" {
				return nil, fmt.Errorf("path %q: empty field name", s)
			}
			p.steps = append(p.steps, step{field: name, index: -1})
			rest = rest[1+n:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest, "']")
			if end < 0 {
				return nil, fmt.Errorf("path %q: unterminated ['...']", s)
			}
			p.steps = append(p.steps, step{field: rest[2:end], index: -1})
			rest = rest[end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unterminated [", s)
			}
			in := rest[1:end]
			if in == "*" {
				p.steps = append(p.steps, step{index: -2})
			} else if n, err := strconv.Atoi(in); err == nil && n >= 0 {
				p.steps = append(p.steps, step{index: n})
			} else {
				return nil, fmt.Errorf("path %q: [%s]: want an index >= 0, * or a quoted field", s, in)
			}
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("path %q: unexpected %q", s, rest[:1])
		}
	}
	return p, nil
}

// Get selects the path's value in doc (the context object ctx for "$$").
// A wildcard makes the result a list of every match.
func (p *Path) Get(doc, ctx any) (any, error) {
	if p.context {
		doc = ctx
	}
	vals := []any{doc}
	multi := false
	for _, s := range p.steps {
		var next []any
		for _, v := range vals {
			switch {
			case s.index == -2:
				multi = true
				switch x := v.(type) {
				case []any:
					next = append(next, x...)
				case map[string]any:
					for _, k := range sortedKeys(x) {
						next = append(next, x[k])
					}
				}
			case s.index >= 0:
				a, ok := v.([]any)
				if !ok || s.index >= len(a) {
					if multi {
						continue
					}
					return nil, fmt.Errorf("path %s: no element [%d]", p.text, s.index)
				}
				next = append(next, a[s.index])
			default:
				m, ok := v.(map[string]any)
				x, found := m[s.field]
				if !ok || !found {
					if multi {
						continue
					}
					return nil, fmt.Errorf("path %s: no field %q", p.text, s.field)
				}
				next = append(next, x)
			}
		}
		vals = next
	}
	if multi {
		if vals == nil {
			vals = []any{}
		}
		return vals, nil
	}
	return vals[0], nil
}

// Set returns doc with v placed at the reference path p, creating objects
// on the way (ResultPath); an index past the end of an array is an error.
func (p *Path) Set(doc, v any) (any, error) {
	if len(p.steps) == 0 {
		return v, nil
	}
	return setAt(p, doc, p.steps, v)
}

func setAt(p *Path, doc any, steps []step, v any) (any, error) {
	if len(steps) == 0 {
		return v, nil
	}
	s := steps[0]
	if s.index >= 0 {
		a, ok := doc.([]any)
		if !ok || s.index >= len(a) {
			return nil, fmt.Errorf("result path %s: no element [%d] to set", p.text, s.index)
		}
		x, err := setAt(p, a[s.index], steps[1:], v)
		if err != nil {
			return nil, err
		}
		out := append([]any(nil), a...)
		out[s.index] = x
		return out, nil
	}
	m, ok := doc.(map[string]any)
	if !ok {
		if doc != nil {
			return nil, fmt.Errorf("result path %s: field %q of a %s", p.text, s.field, kindOf(doc))
		}
		m = map[string]any{}
	}
	x, err := setAt(p, m[s.field], steps[1:], v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m)+1)
	for k, e := range m {
		out[k] = e
	}
	out[s.field] = x
	return out, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
