package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Root is the JSON path prefix of a spec's fields in error messages.
const Root = "spec"

// Decode reads a spec from JSON strictly: unknown fields and values of the
// wrong type are errors naming the field's JSON path. It does not fill
// defaults or check ranges; Resolve does.
func Decode(data []byte) (Spec, error) {
	var s Spec
	if err := DecodeStrict(Root, data, &s); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// DecodeStrict decodes data into the struct out points to. Object keys must
// match a field's json tag exactly; anything else is an error of the form
// "path.key: unknown field; allowed: a, b, c". json.RawMessage fields are
// kept as they are (they belong to someone else).
//
// A number field that may be omitted (json omitempty) takes its default
// when omitted; an explicit 0 there is an error naming the field, its
// default and its allowed range, never a silent default.
func DecodeStrict(path string, data []byte, out any) error {
	return decoder{rejectZero: true}.decode(path, data, out)
}

// decoder is DecodeStrict's state: whether explicit zeros are rejected
// (not for values built in code, such as EngineOf's).
type decoder struct{ rejectZero bool }

func (d decoder) decode(path string, data []byte, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("%s: decode target must be a non-nil pointer", path)
	}
	if err := syntaxError(path, data); err != nil {
		return err
	}
	return d.decodeValue(path, bytes.TrimSpace(data), v.Elem())
}

// syntaxError says where data stops being JSON and what was expected
// there: the line, the column and the byte offset.
func syntaxError(path string, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: empty input; want a JSON object", path)
	}
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", path, err)
	}
	off := int(se.Offset)
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	what := se.Error()
	if what == "unexpected end of JSON input" {
		what = "the JSON ends early (a truncated file?): want the rest of the value and its closing brackets"
	}
	return fmt.Errorf("%s: not valid JSON at line %d, column %d (byte %d of %d): %s", path, line, col, off, len(data), what)
}

var (
	rawType         = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

func (d decoder) decodeValue(path string, data []byte, v reflect.Value) error {
	if len(data) == 0 {
		return fmt.Errorf("%s: empty value", path)
	}
	switch {
	case v.Type() == rawType:
		v.SetBytes(append([]byte(nil), data...))
		return nil
	case reflect.PointerTo(v.Type()).Implements(unmarshalerType):
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data); err != nil {
			var sub *subPathError
			if errors.As(err, &sub) {
				return fmt.Errorf("%s.%s: %w", path, sub.sub, sub.err)
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if string(data) == "null" {
			v.SetZero()
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := d.decodeValue(path, data, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		return d.decodeStruct(path, data, v)
	case reflect.Slice:
		return d.decodeSlice(path, data, v)
	}
	return decodeScalar(path, data, v)
}

func (d decoder) decodeStruct(path string, data []byte, v reflect.Value) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return fmt.Errorf("%s: want an object, got %s", path, brief(data))
	}
	fields := jsonFields(v.Type())
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the first bad field deterministically
	for _, k := range keys {
		idx, ok := fields[k]
		if !ok {
			return fmt.Errorf("%s.%s: unknown field; allowed: %s", path, k, strings.Join(fieldNames(v.Type()), ", "))
		}
		if err := d.decodeValue(path+"."+k, bytes.TrimSpace(obj[k]), v.Field(idx)); err != nil {
			return err
		}
		if d.rejectZero && omitEmptyNumber(v.Type().Field(idx)) && v.Field(idx).IsZero() {
			return explicitZero(path + "." + k)
		}
	}
	return nil
}

func (d decoder) decodeSlice(path string, data []byte, v reflect.Value) error {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return fmt.Errorf("%s: want an array, got %s", path, brief(data))
	}
	s := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, it := range items {
		if err := d.decodeValue(fmt.Sprintf("%s[%d]", path, i), bytes.TrimSpace(it), s.Index(i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func decodeScalar(path string, data []byte, v reflect.Value) error {
	p := reflect.New(v.Type())
	err := json.Unmarshal(data, p.Interface())
	if err == nil {
		v.Set(p.Elem())
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: want %s, got %s", path, kindName(v.Kind()), brief(data))
	}
	return fmt.Errorf("%s: %w", path, err)
}

// jsonFields maps json names to field indexes.
func jsonFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			m[name] = i
		}
	}
	return m
}

// fieldNames are a struct's json names in declaration order.
func fieldNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name
	}
	return f.Name
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return k.String()
}

// brief is data shortened for an error message.
func brief(data []byte) string {
	const max = 40
	if len(data) > max {
		return string(data[:max]) + "…"
	}
	return string(data)
}
