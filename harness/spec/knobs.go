package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	"github.com/dflab/dflab/workloads"
)

// Catalog is what a spec may name: the systems and the workloads (nil:
// the built-in ones).
type Catalog struct {
	Systems   *systems.Registry
	Workloads *workloads.Registry
}

var (
	builtinSystems   = builtin.Systems()
	builtinWorkloads = workloads.Builtin()
)

// SystemsOf returns the catalog's systems.
func (c Catalog) SystemsOf() *systems.Registry {
	if c.Systems != nil {
		return c.Systems
	}
	return builtinSystems
}

// WorkloadsOf returns the catalog's workloads.
func (c Catalog) WorkloadsOf() *workloads.Registry {
	if c.Workloads != nil {
		return c.Workloads
	}
	return builtinWorkloads
}

// Runs returns nil if the catalog's system runs the workload, else an
// error naming the workloads it runs (or the unknown system).
func (c Catalog) Runs(system, workload string) error {
	sys, err := c.SystemsOf().Lookup(system)
	if err != nil {
		return err
	}
	return sys.RunsWorkload(workload)
}

// Knob returns a knob's value in text form ("" if it has none).
func (e Engine) Knob(name string) string { return e.Knobs[name] }

// Int returns an integer knob's value (0 if it has none or is no integer).
func (e Engine) Int(name string) int {
	n, _ := strconv.Atoi(e.Knobs[name])
	return n
}

// With returns the engine with more knob values set.
func (e Engine) With(v systems.Values) Engine {
	e.Knobs = e.Knobs.With(v)
	return e
}

// MarshalJSON writes the knobs as an object under the engine's name: a
// value that reads as a JSON number or boolean is written as one, any
// other as a string.
func (e Engine) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	name, _ := json.Marshal(e.Name)
	b.WriteString(`{"name":`)
	b.Write(name)
	if len(e.Knobs) > 0 {
		b.WriteString(",")
		b.Write(name)
		b.WriteString(":")
		if err := writeTree(&b, nest(e.Knobs)); err != nil {
			return nil, err
		}
	}
	b.WriteString("}")
	return b.Bytes(), nil
}

// tree is knob values nested by the dotted parts of their names.
type tree map[string]any // string (a value) or tree

func nest(v systems.Values) tree {
	t := tree{}
	for _, k := range v.Names() {
		parts := strings.Split(k, ".")
		node := t
		for _, p := range parts[:len(parts)-1] {
			next, ok := node[p].(tree)
			if !ok {
				next = tree{}
				node[p] = next
			}
			node = next
		}
		node[parts[len(parts)-1]] = v[k]
	}
	return t
}

func writeTree(b *bytes.Buffer, t tree) error {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteString(":")
		switch x := t[k].(type) {
		case tree:
			if err := writeTree(b, x); err != nil {
				return err
			}
		case string:
			b.Write(scalar(x))
		}
	}
	b.WriteString("}")
	return nil
}

// scalar writes a knob value: a JSON number or boolean as it is, anything
// else as a JSON string.
func scalar(v string) []byte {
	if v == "true" || v == "false" {
		return []byte(v)
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil && json.Valid([]byte(v)) {
		return []byte(v)
	}
	out, _ := json.Marshal(v) // a string always marshals
	return out
}

// subPathError is an error at a path below the value being decoded.
type subPathError struct {
	sub string
	err error
}

func (e *subPathError) Error() string { return e.sub + ": " + e.err.Error() }

// UnmarshalJSON reads {"name":N, N:{knobs}}: knob values nest by the
// dotted parts of their names and are scalars (numbers, strings,
// booleans).
func (e *Engine) UnmarshalJSON(data []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return fmt.Errorf("want an object, got %s", brief(data))
	}
	out := Engine{}
	if raw, ok := obj["name"]; ok {
		if err := json.Unmarshal(raw, &out.Name); err != nil {
			return &subPathError{"name", fmt.Errorf("want a string, got %s", brief(raw))}
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "name" {
			continue
		}
		if k != out.Name {
			return &subPathError{k, fmt.Errorf("knobs of engine %s given, but engine is %q", k, out.Name)}
		}
		out.Knobs = systems.Values{}
		if err := flatten(k, "", obj[k], out.Knobs); err != nil {
			return err
		}
	}
	*e = out
	return nil
}

func flatten(path, prefix string, data json.RawMessage, out systems.Values) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return &subPathError{path, fmt.Errorf("want an object of knobs, got %s", brief(data))}
	}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) > 0 && raw[0] == '{':
			if err := flatten(path+"."+k, prefix+k+".", raw, out); err != nil {
				return err
			}
		case len(raw) > 0 && raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return &subPathError{path + "." + k, err}
			}
			out[prefix+k] = s
		case len(raw) > 0 && (raw[0] == '[' || string(raw) == "null"):
			return &subPathError{path + "." + k, fmt.Errorf("want a number, string or boolean, got %s", brief(raw))}
		default:
			out[prefix+k] = string(raw)
		}
	}
	return nil
}

// resolveEngine fills the defaults of the knobs the spec's runner honours
// and writes every value in canonical form.
func resolveEngine(e Engine, backend string, c Catalog) (Engine, error) {
	p := Root + ".engine"
	sys, err := c.SystemsOf().Lookup(e.Name)
	if err != nil {
		return e, fmt.Errorf("%s.name: %q is not one of %s", p, e.Name, strings.Join(c.SystemsOf().Names(), ", "))
	}
	runner := runnerOf(backend)
	out := sys.Defaults(runner)
	for _, name := range e.Knobs.Names() {
		k, ok := sys.Knob(name)
		if !ok {
			out[name] = e.Knobs[name] // Validate names it
			continue
		}
		v, err := k.Canonical(e.Knobs[name])
		if err != nil {
			return e, fmt.Errorf("%s.%s.%s: %w", p, e.Name, name, err)
		}
		out[name] = v
	}
	e.Knobs = out
	return e, nil
}

func runnerOf(backend string) string {
	if backend == BackendSim {
		return systems.RunnerSim
	}
	return systems.RunnerReal
}

// validateEngine checks the engine's knobs with its system's descriptor,
// for the spec's runner.
func (s Spec) validateEngine(c Catalog) error {
	p := Root + ".engine"
	sys, err := c.SystemsOf().Lookup(s.Engine.Name)
	if err != nil {
		return fmt.Errorf("%s.name: %q is not one of %s", p, s.Engine.Name, strings.Join(c.SystemsOf().Names(), ", "))
	}
	if _, err := sys.Parse(s.Engine.Knobs, runnerOf(s.Backend.Kind)); err != nil {
		var ke *systems.KnobError
		if errors.As(err, &ke) {
			return fmt.Errorf("%s.%s.%s: %w", p, s.Engine.Name, ke.Knob, ke.Err)
		}
		return fmt.Errorf("%s.%s: %w", p, s.Engine.Name, err)
	}
	return nil
}

// engines lists the systems of r with a Draw that run every workload, in
// registration order.
func engines(r *systems.Registry) []string {
	var out []string
	for _, s := range r.All() {
		if s.Draw != nil && s.RunsEveryWorkload() {
			out = append(out, s.Name)
		}
	}
	return out
}

// drawable lists the systems of r whose descriptor has a Draw, in
// registration order.
func drawable(r *systems.Registry) []string {
	var out []string
	for _, s := range r.All() {
		if s.Draw != nil {
			out = append(out, s.Name)
		}
	}
	return out
}
