package workloads

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/bank"
	"github.com/dflab/dflab/workloads/collision"
	"github.com/dflab/dflab/workloads/hello"
	"github.com/dflab/dflab/workloads/imagerec"
	"github.com/dflab/dflab/workloads/lifecycle"
	"github.com/dflab/dflab/workloads/wordcount"
	"github.com/dflab/dflab/workloads/workload"
)

// Factory builds one workload from its parameters.
type Factory struct {
	Name    string
	Summary string
	// New decodes params (a JSON object overlaying the defaults; empty for
	// the defaults) and validates them.
	New func(params []byte) (workload.Workload, error)
	// Defaults returns the default parameters (for listings and specs).
	Defaults func() any
	// Draw, if set, draws parameters at small scale for the fault
	// campaign (nil: the campaign runs the defaults).
	Draw func(r *rng.Source) string
	// DefaultInstances is the closed load a spec without one runs: what one
	// node finishes in well under the default time limit (one WordCount job
	// of 25,000 words, one Collision search of 100 × 10^9 numbers, 1,000 of
	// the others, as the paper's single-node runs). 0: 1,000.
	DefaultInstances int
}

// builtins are the paper's workloads, in listing order.
func builtins() []Factory {
	return []Factory{
		helloFactory(3), helloFactory(5),
		{Name: "sequence", Summary: "a chain of n activities passing a small object along (paper: n=10)",
			New: func(b []byte) (workload.Workload, error) {
				p := hello.DefaultSequenceParams()
				if err := workload.DecodeParams("sequence", b, &p); err != nil {
					return nil, err
				}
				return hello.NewSequence(p)
			}, Defaults: func() any { return hello.DefaultSequenceParams() },
			Draw: func(r *rng.Source) string { return fmt.Sprintf(`{"length":%d}`, 2+r.Intn(5)) }},
		{Name: "bank", Summary: "transfers between two Account entities in a critical section",
			New: func(b []byte) (workload.Workload, error) {
				p := bank.DefaultParams()
				if err := workload.DecodeParams("bank", b, &p); err != nil {
					return nil, err
				}
				return bank.New(p)
			}, Defaults: func() any { return bank.DefaultParams() },
			Draw: func(r *rng.Source) string { return fmt.Sprintf(`{"pairs":%d}`, 1+r.Intn(3)) }},
		{Name: "wordcount", Summary: "map-reduce word count with Mapper, Reducer and Summary entities",
			New: func(b []byte) (workload.Workload, error) {
				p := wordcount.DefaultParams()
				if err := workload.DecodeParams("wordcount", b, &p); err != nil {
					return nil, err
				}
				return wordcount.New(p)
			}, Defaults: func() any { return wordcount.DefaultParams() }, DefaultInstances: 1,
			Draw: func(r *rng.Source) string {
				return fmt.Sprintf(`{"mappers":%d,"reducers":%d,"bookWords":%d}`, 1+r.Intn(3), 1+r.Intn(3), 20+r.Intn(181))
			}},
		{Name: "collision", Summary: "divide-and-conquer search for 32-bit hash collisions",
			New: func(b []byte) (workload.Workload, error) {
				p := collision.DefaultParams()
				if err := workload.DecodeParams("collision", b, &p); err != nil {
					return nil, err
				}
				return collision.New(p)
			}, Defaults: func() any { return collision.DefaultParams() }, DefaultInstances: 1,
			Draw: func(r *rng.Source) string { return fmt.Sprintf(`{"blocks":%d}`, 2+r.Intn(4)) }},
		{Name: "imagerec", Summary: "image recognition workflow with retries and a parallel thumbnail",
			New: func(b []byte) (workload.Workload, error) {
				p := imagerec.DefaultParams()
				if err := workload.DecodeParams("imagerec", b, &p); err != nil {
					return nil, err
				}
				return imagerec.New(p)
			}, Defaults: func() any { return imagerec.DefaultParams() }},
		{Name: "lifecycle", Summary: "sub-orchestration retry under a fixed id, WhenAny with timers, suspend and resume by the client",
			New: func(b []byte) (workload.Workload, error) {
				p := lifecycle.DefaultParams()
				if err := workload.DecodeParams("lifecycle", b, &p); err != nil {
					return nil, err
				}
				return lifecycle.New(p)
			}, Defaults: func() any { return lifecycle.DefaultParams() },
			Draw: func(r *rng.Source) string {
				return fmt.Sprintf(`{"attempts":%d,"failures":%d,"suspend":%v}`, 1+r.Intn(4), r.Intn(5), r.Intn(4) > 0)
			}},
	}
}

func helloFactory(n int) Factory {
	return Factory{Name: fmt.Sprintf("hello%d", n),
		Summary: fmt.Sprintf("an orchestration calling SayHello for %d cities in sequence", n),
		New: func(b []byte) (workload.Workload, error) {
			var p struct{}
			if err := workload.DecodeParams(fmt.Sprintf("hello%d", n), b, &p); err != nil {
				return nil, err
			}
			return hello.NewHello(n)
		}, Defaults: func() any { return struct{}{} }}
}

// Registry is an open set of workloads, in registration order.
type Registry struct {
	list []Factory
}

// Builtin returns a new registry holding the paper's workloads, to which
// a researcher's module may add its own.
func Builtin() *Registry { return &Registry{list: builtins()} }

// Register adds a workload; its name must be new.
func (r *Registry) Register(f Factory) error {
	if f.Name == "" || f.New == nil {
		return fmt.Errorf("workloads: Register: a factory needs a Name and New (got name %q)", f.Name)
	}
	if _, err := r.Lookup(f.Name); err == nil {
		return fmt.Errorf("workloads: workload %s registered twice", f.Name)
	}
	r.list = append(r.list, f)
	return nil
}

// Clone returns a registry holding the same workloads, to register more
// without changing r.
func (r *Registry) Clone() *Registry { return &Registry{list: append([]Factory(nil), r.list...)} }

// All lists the factories in registration order.
func (r *Registry) All() []Factory { return append([]Factory(nil), r.list...) }

// Names lists the workloads' names in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.list))
	for i, f := range r.list {
		out[i] = f.Name
	}
	return out
}

// Lookup finds a workload by name.
func (r *Registry) Lookup(name string) (Factory, error) {
	for _, f := range r.list {
		if f.Name == name {
			return f, nil
		}
	}
	return Factory{}, fmt.Errorf("unknown workload %q (known: %s)", name, strings.Join(r.Names(), ", "))
}

// New builds the named workload from its JSON parameters.
func (r *Registry) New(name string, params []byte) (workload.Workload, error) {
	f, err := r.Lookup(name)
	if err != nil {
		return nil, err
	}
	w, err := f.New(params)
	if err != nil {
		return nil, fmt.Errorf("workload %s: %w", name, err)
	}
	return w, nil
}

// Names lists the built-in workloads.
func Names() []string { return Builtin().Names() }

// Lookup finds a built-in workload by name.
func Lookup(name string) (Factory, error) { return Builtin().Lookup(name) }

// New builds the named built-in workload from its JSON parameters.
func New(name string, params []byte) (workload.Workload, error) { return Builtin().New(name, params) }
