package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/dflab/dflab/harness/spec"
)

// specFlags build a spec from an optional file plus flags; every flag is
// a path in the spec, so the same strict checks apply.
type specFlags struct {
	file  string
	sets  multiFlag
	knobs multiFlag
	// shorthands, each a path
	engine, backend, models, workload, params, load, faults string
	nodes, cores, reps                                      optInt
	seed                                                    optUint
}

// optInt and optUint are number flags that know whether they were given,
// so an explicit --nodes 0 reaches the spec (and is refused there) instead
// of meaning "not given".
type optInt struct {
	v   int
	set bool
}

func (o *optInt) String() string { return strconv.Itoa(o.v) }
func (o *optInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want an integer")
	}
	o.v, o.set = v, true
	return nil
}

type optUint struct {
	v   uint64
	set bool
}

func (o *optUint) String() string { return strconv.FormatUint(o.v, 10) }
func (o *optUint) Set(s string) error {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("want a non-negative integer")
	}
	o.v, o.set = v, true
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (f *specFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "spec", "", "spec JSON file (\"-\": stdin); flags override its fields")
	fs.Var(&f.sets, "set", "set a spec field by path, e.g. --set engine.netherite.partitions=16 (repeatable; value is JSON or a bare string)")
	fs.Var(&f.knobs, "knob", "set a knob of the engine by its name, e.g. --knob partitions=16 or --knob checkpoint.logBytes=64KiB (repeatable; a bare name is true; the engine's knobs: dflab systems)")
	fs.StringVar(&f.engine, "engine", "", "engine: netherite | original, or a registered one (dflab systems)")
	fs.StringVar(&f.backend, "backend", "", "backend: sim (the default) | disk | azure | nats")
	fs.StringVar(&f.models, "models", "", "simulator model set name (backend sim)")
	fs.StringVar(&f.workload, "workload", "", "workload: "+strings.Join(spec.Workloads, " | ")+", or a registered one (dflab systems)")
	fs.StringVar(&f.params, "params", "", "workload parameters as a JSON object")
	fs.StringVar(&f.load, "load", "", "load: closed:N (N instances at once) or open:RATE:DURATION (e.g. open:10:60s)")
	fs.StringVar(&f.faults, "faults", "", "fault plan text (or @FILE to read it from a file)")
	fs.Var(&f.nodes, "nodes", "cluster nodes (default 1)")
	fs.Var(&f.cores, "cores", "cores per node (default 1)")
	fs.Var(&f.reps, "reps", "repetitions (default 1)")
	fs.Var(&f.seed, "seed", "seed (default 1; repetition i uses seed+i)")
}

// build reads the file (if any), applies the flags and resolves against
// the catalog.
func (f *specFlags) build(c spec.Catalog) (spec.Spec, error) {
	var base spec.Spec
	if f.file != "" {
		data, err := readInput(f.file)
		if err != nil {
			return spec.Spec{}, err
		}
		if base, err = spec.Decode(data); err != nil {
			return spec.Spec{}, fmt.Errorf("%s: %w", f.file, err)
		}
	}
	axes, err := f.axes()
	if err != nil {
		return spec.Spec{}, err
	}
	engine := base.Engine.Name
	if f.engine != "" {
		engine = f.engine
	}
	for _, k := range f.knobs {
		name, val, ok := strings.Cut(k, "=")
		if !ok {
			val = "true" // a bare name, as in golden scripts
		}
		if name == "" {
			return spec.Spec{}, fmt.Errorf("--knob %q: want name=value", k)
		}
		if engine == "" {
			return spec.Spec{}, fmt.Errorf("--knob %s: name the engine first (--engine or the spec file)", name)
		}
		b, _ := json.Marshal(val) // a string always marshals; the engine's knob parses it
		axes = append(axes, spec.Axis{Path: "engine." + engine + "." + name, Values: []json.RawMessage{b}})
	}
	return spec.ApplyIn(c, base, axes...)
}

// axes turns the flags into one-value axes (later flags win).
func (f *specFlags) axes() ([]spec.Axis, error) {
	var axes []spec.Axis
	add := func(path string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("--%s: %w", path, err)
		}
		axes = append(axes, spec.Axis{Path: path, Values: []json.RawMessage{b}})
		return nil
	}
	str := map[string]string{"engine.name": f.engine, "backend.kind": f.backend, "backend.models": f.models, "workload.name": f.workload}
	for _, p := range []string{"engine.name", "backend.kind", "backend.models", "workload.name"} {
		if str[p] != "" {
			if err := add(p, str[p]); err != nil {
				return nil, err
			}
		}
	}
	ints := []struct {
		path string
		v    optInt
	}{{"cluster.nodes", f.nodes}, {"cluster.cores", f.cores}, {"repetitions", f.reps}}
	for _, i := range ints {
		if i.v.set {
			if err := add(i.path, i.v.v); err != nil {
				return nil, err
			}
		}
	}
	if f.seed.set {
		if err := add("seed", f.seed.v); err != nil {
			return nil, err
		}
	}
	more, err := f.complexAxes()
	if err != nil {
		return nil, err
	}
	return append(axes, more...), nil
}

// complexAxes are --params, --load, --faults and --set.
func (f *specFlags) complexAxes() ([]spec.Axis, error) {
	var axes []spec.Axis
	if f.params != "" {
		if !json.Valid([]byte(f.params)) {
			return nil, fmt.Errorf("--params: %q is not JSON; want an object such as {\"accounts\":100}", f.params)
		}
		axes = append(axes, spec.Axis{Path: "workload.params", Values: []json.RawMessage{[]byte(f.params)}})
	}
	if f.load != "" {
		l, err := parseLoad(f.load)
		if err != nil {
			return nil, err
		}
		axes = append(axes, spec.Axis{Path: "load", Values: []json.RawMessage{l}})
	}
	if f.faults != "" {
		text := f.faults
		if name, ok := strings.CutPrefix(text, "@"); ok {
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("--faults: %w", err)
			}
			text = string(data)
		}
		b, _ := json.Marshal(text) // a string always marshals
		axes = append(axes, spec.Axis{Path: "faults", Values: []json.RawMessage{b}})
	}
	for _, s := range f.sets {
		path, val, ok := strings.Cut(s, "=")
		if !ok || path == "" {
			return nil, fmt.Errorf("--set %q: want path=value", s)
		}
		v := []byte(val)
		if !json.Valid(v) {
			v, _ = json.Marshal(val) // a bare word is a string
		}
		axes = append(axes, spec.Axis{Path: path, Values: []json.RawMessage{v}})
	}
	return axes, nil
}

// parseLoad reads closed:N or open:RATE:DURATION[:SPACING].
func parseLoad(s string) (json.RawMessage, error) {
	parts := strings.Split(s, ":")
	var v map[string]any
	switch {
	case parts[0] == "closed" && len(parts) == 2:
		v = map[string]any{"kind": "closed", "instances": json.Number(parts[1])}
	case parts[0] == "open" && (len(parts) == 3 || len(parts) == 4):
		v = map[string]any{"kind": "open", "ratePerSec": json.Number(parts[1]), "duration": parts[2]}
		if len(parts) == 4 {
			v["spacing"] = parts[3]
		}
	default:
		return nil, fmt.Errorf("--load %q: want closed:N or open:RATE:DURATION[:poisson|fixed]", s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("--load %q: %w", s, err)
	}
	return b, nil
}

// readInput reads a file, or stdin for "-".
func readInput(name string) ([]byte, error) {
	if name == "-" {
		data, err := readAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return data, nil
}
