package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dflab/dflab/systems"
)

// Knobs returns the engine's knob values as a system descriptor reads
// them: every field of the engine's knob object by its dotted path
// (checkpoint.logBytes), in text form. A field left out takes the knob's
// default.
func (e Engine) Knobs() (systems.Values, error) {
	var obj any
	switch {
	case e.Netherite != nil:
		obj = e.Netherite
	case e.Original != nil:
		obj = e.Original
	default:
		return systems.Values{}, nil
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("%s.engine.%s: %w", Root, e.Name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("%s.engine.%s: %w", Root, e.Name, err)
	}
	out := systems.Values{}
	flatten("", tree, out)
	return out, nil
}

func flatten(prefix string, tree map[string]any, out systems.Values) {
	for k, v := range tree {
		switch x := v.(type) {
		case map[string]any:
			flatten(prefix+k+".", x, out)
		case string:
			out[prefix+k] = x
		default:
			out[prefix+k] = fmt.Sprint(x)
		}
	}
}

// EngineOf builds an engine from knob values (System.Draw's): the values
// nest by their dotted names under engine.<name>; a value that is a JSON
// number or boolean is written as one, anything else as a string.
func EngineOf(name string, v systems.Values) (Engine, error) {
	tree := map[string]any{}
	for _, k := range v.Names() {
		parts := strings.Split(k, ".")
		node := tree
		for _, p := range parts[:len(parts)-1] {
			next, ok := node[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[p] = next
			}
			node = next
		}
		raw := json.RawMessage(v[k])
		if !json.Valid(raw) || strings.HasPrefix(v[k], "\"") || strings.HasPrefix(v[k], "{") || strings.HasPrefix(v[k], "[") {
			raw, _ = json.Marshal(v[k]) // a string always marshals
		}
		node[parts[len(parts)-1]] = raw
	}
	data, err := json.Marshal(map[string]any{"name": name, name: tree})
	if err != nil {
		return Engine{}, fmt.Errorf("%s.engine: %w", Root, err)
	}
	var e Engine
	if err := DecodeStrict(Root+".engine", data, &e); err != nil {
		return Engine{}, err
	}
	return e, nil
}
