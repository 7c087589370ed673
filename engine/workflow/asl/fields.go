package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// object is a JSON object read field by field, so that every fault names
// its field.
type object struct {
	where  string // "state \"X\"" or "definition"
	fields map[string]json.RawMessage
	used   map[string]bool
}

func newObject(where string, raw json.RawMessage) (*object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: want a JSON object", where)
	}
	return &object{where: where, fields: m, used: map[string]bool{}}, nil
}

func (o *object) has(name string) bool { _, ok := o.fields[name]; return ok }

func (o *object) raw(name string) (json.RawMessage, bool) {
	r, ok := o.fields[name]
	o.used[name] = true
	return r, ok
}

func (o *object) fieldErr(name, want string) error {
	return fmt.Errorf("%s: field %s: want %s", o.where, name, want)
}

func (o *object) str(name string) (string, bool, error) {
	r, ok := o.raw(name)
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", true, o.fieldErr(name, "a string")
	}
	return s, true, nil
}

func (o *object) boolean(name string) (bool, bool, error) {
	r, ok := o.raw(name)
	if !ok {
		return false, false, nil
	}
	var b bool
	if err := json.Unmarshal(r, &b); err != nil {
		return false, true, o.fieldErr(name, "true or false")
	}
	return b, true, nil
}

func (o *object) number(name string, min float64) (float64, bool, error) {
	r, ok := o.raw(name)
	if !ok {
		return 0, false, nil
	}
	var f float64
	if err := json.Unmarshal(r, &f); err != nil || f < min {
		return 0, true, o.fieldErr(name, fmt.Sprintf("a number >= %v", min))
	}
	return f, true, nil
}

func (o *object) integer(name string, min int) (int, bool, error) {
	f, ok, err := o.number(name, float64(min))
	if err != nil || !ok {
		return 0, ok, err
	}
	if f != float64(int(f)) {
		return 0, true, o.fieldErr(name, fmt.Sprintf("an integer >= %d", min))
	}
	return int(f), true, nil
}

// path reads a field that is a path or null (nullable paths: InputPath,
// OutputPath, ResultPath). A missing field is "$".
func (o *object) path(name string, reference bool) (*Path, error) {
	r, ok := o.raw(name)
	if !ok {
		return mustPath("$"), nil
	}
	if bytes.Equal(bytes.TrimSpace(r), []byte("null")) {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return nil, o.fieldErr(name, "a path string or null")
	}
	p, err := ParsePath(s)
	if err == nil && reference && !p.Reference() {
		err = fmt.Errorf("%q is not a reference path (a single node: fields and indexes only)", s)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: field %s: %w", o.where, name, err)
	}
	return p, nil
}

// value reads a field holding any JSON value (numbers kept exact).
func (o *object) value(name string) (any, bool, error) {
	r, ok := o.raw(name)
	if !ok {
		return nil, false, nil
	}
	v, err := decodeValue(r)
	if err != nil {
		return nil, true, o.fieldErr(name, "a JSON value")
	}
	return v, true, nil
}

// unknown reports the first field that was not read.
func (o *object) unknown(allowed string) error {
	var extra []string
	for k := range o.fields {
		if !o.used[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return fmt.Errorf("%s: field %s is not allowed here (%s)", o.where, extra[0], allowed)
}

// decodeValue decodes JSON keeping numbers as json.Number.
func decodeValue(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// DecodeValue decodes a JSON document into the interpreter's values
// (objects map[string]any, arrays []any, numbers json.Number); empty input
// is the empty object, as an execution started without input gets.
func DecodeValue(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, nil
	}
	return decodeValue(b)
}

// EncodeValue encodes a value (object keys sorted).
func EncodeValue(v any) ([]byte, error) { return json.Marshal(v) }

func quote(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
