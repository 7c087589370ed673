package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Axis is one dimension of a sweep: a spec field named by its JSON path
// below the spec ("cluster.nodes", "engine.netherite.speculation",
// "workload.params.accounts") and the values it takes, as JSON.
type Axis struct {
	Path   string            `json:"path"`
	Values []json.RawMessage `json:"values"`
}

// Matrix is a base spec and axes; Expand returns one resolved spec per
// point of the axes' cartesian product, the first axis outermost.
type Matrix struct {
	Base Spec   `json:"base"`
	Axes []Axis `json:"axes"`
}

// Point is one expanded spec and the axis values that made it, by path.
type Point struct {
	Values map[string]json.RawMessage `json:"values"`
	Spec   Spec                       `json:"spec"`
}

// MaxPoints bounds the size of one expansion.
const MaxPoints = 100_000

// Values is a helper that turns Go values into axis values.
func Values(vs ...any) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(vs))
	for i, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("axis value %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

// Expand returns the resolved spec of every point of the matrix. Each
// point is built by setting the axis paths in the base spec's JSON and
// decoding it strictly again, so a bad path or value is an error naming it.
func (m Matrix) Expand() ([]Point, error) { return m.ExpandIn(Catalog{}) }

// ExpandIn is Expand resolving against a catalog.
func (m Matrix) ExpandIn(c Catalog) ([]Point, error) {
	n := 1
	for i, a := range m.Axes {
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("matrix.axes[%d] (%s): no values", i, a.Path)
		}
		n *= len(a.Values)
		if n > MaxPoints {
			return nil, fmt.Errorf("matrix: more than %d points", MaxPoints)
		}
	}
	base, err := json.Marshal(m.Base)
	if err != nil {
		return nil, fmt.Errorf("matrix.base: %w", err)
	}
	out := make([]Point, 0, n)
	idx := make([]int, len(m.Axes))
	for range n {
		p, err := m.point(base, idx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		for k := len(idx) - 1; k >= 0; k-- { // odometer: last axis fastest
			idx[k]++
			if idx[k] < len(m.Axes[k].Values) {
				break
			}
			idx[k] = 0
		}
	}
	return out, nil
}

func (m Matrix) point(base []byte, idx []int, c Catalog) (Point, error) {
	values := map[string]json.RawMessage{}
	axes := make([]Axis, len(m.Axes))
	for k, a := range m.Axes {
		v := a.Values[idx[k]]
		values[a.Path] = v
		axes[k] = Axis{Path: a.Path, Values: []json.RawMessage{v}}
	}
	s, err := apply(base, axes, c)
	if err != nil {
		return Point{}, fmt.Errorf("matrix point %s: %w", describe(m.Axes, values), err)
	}
	return Point{Values: values, Spec: s}, nil
}

// Apply sets each axis's first value in base (later axes win) and
// resolves the result; flags such as --set path=value use it.
func Apply(base Spec, axes ...Axis) (Spec, error) { return ApplyIn(Catalog{}, base, axes...) }

// ApplyIn is Apply resolving against a catalog.
func ApplyIn(c Catalog, base Spec, axes ...Axis) (Spec, error) {
	data, err := json.Marshal(base)
	if err != nil {
		return Spec{}, fmt.Errorf("%s: %w", Root, err)
	}
	return apply(data, axes, c)
}

func apply(base []byte, axes []Axis, c Catalog) (Spec, error) {
	var tree map[string]any
	if err := json.Unmarshal(base, &tree); err != nil {
		return Spec{}, fmt.Errorf("%s: %w", Root, err)
	}
	for _, a := range axes {
		if len(a.Values) == 0 {
			return Spec{}, fmt.Errorf("%s: no value", a.Path)
		}
		var val any
		if err := json.Unmarshal(a.Values[0], &val); err != nil {
			return Spec{}, fmt.Errorf("%s: value %s: %w", a.Path, brief(a.Values[0]), err)
		}
		if err := setPath(tree, a.Path, val); err != nil {
			return Spec{}, err
		}
	}
	data, err := json.Marshal(tree)
	if err != nil {
		return Spec{}, fmt.Errorf("%s: %w", Root, err)
	}
	return ParseIn(c, data)
}

// setPath sets a dotted path in a JSON object tree, creating objects on
// the way (a knob block such as engine.netherite may be absent in the base).
func setPath(tree map[string]any, path string, val any) error {
	parts := strings.Split(strings.TrimPrefix(path, Root+"."), ".")
	cur := tree
	for i, p := range parts {
		if p == "" {
			return fmt.Errorf("path %q: empty element", path)
		}
		if i == len(parts)-1 {
			cur[p] = val
			return nil
		}
		next, ok := cur[p].(map[string]any)
		if !ok {
			if cur[p] != nil {
				return fmt.Errorf("path %q: %s is not an object", path, strings.Join(parts[:i+1], "."))
			}
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	return nil
}

func describe(axes []Axis, values map[string]json.RawMessage) string {
	var b bytes.Buffer
	for i, a := range axes {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%s", a.Path, values[a.Path])
	}
	return "{" + b.String() + "}"
}
