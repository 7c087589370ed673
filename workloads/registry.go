package workloads

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/workloads/bank"
	"github.com/dflab/dflab/workloads/collision"
	"github.com/dflab/dflab/workloads/hello"
	"github.com/dflab/dflab/workloads/imagerec"
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
}

var factories = []Factory{
	helloFactory(3), helloFactory(5),
	{Name: "sequence", Summary: "a chain of n activities passing a small object along (paper: n=10)",
		New: func(b []byte) (workload.Workload, error) {
			p := hello.DefaultSequenceParams()
			if err := workload.DecodeParams("sequence", b, &p); err != nil {
				return nil, err
			}
			return hello.NewSequence(p)
		}, Defaults: func() any { return hello.DefaultSequenceParams() }},
	{Name: "bank", Summary: "transfers between two Account entities in a critical section",
		New: func(b []byte) (workload.Workload, error) {
			p := bank.DefaultParams()
			if err := workload.DecodeParams("bank", b, &p); err != nil {
				return nil, err
			}
			return bank.New(p)
		}, Defaults: func() any { return bank.DefaultParams() }},
	{Name: "wordcount", Summary: "map-reduce word count with Mapper, Reducer and Summary entities",
		New: func(b []byte) (workload.Workload, error) {
			p := wordcount.DefaultParams()
			if err := workload.DecodeParams("wordcount", b, &p); err != nil {
				return nil, err
			}
			return wordcount.New(p)
		}, Defaults: func() any { return wordcount.DefaultParams() }},
	{Name: "collision", Summary: "divide-and-conquer search for 32-bit hash collisions",
		New: func(b []byte) (workload.Workload, error) {
			p := collision.DefaultParams()
			if err := workload.DecodeParams("collision", b, &p); err != nil {
				return nil, err
			}
			return collision.New(p)
		}, Defaults: func() any { return collision.DefaultParams() }},
	{Name: "imagerec", Summary: "image recognition workflow with retries and a parallel thumbnail",
		New: func(b []byte) (workload.Workload, error) {
			p := imagerec.DefaultParams()
			if err := workload.DecodeParams("imagerec", b, &p); err != nil {
				return nil, err
			}
			return imagerec.New(p)
		}, Defaults: func() any { return imagerec.DefaultParams() }},
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

// Names lists the known workloads.
func Names() []string {
	out := make([]string, len(factories))
	for i, f := range factories {
		out[i] = f.Name
	}
	return out
}

// Lookup finds a workload by name.
func Lookup(name string) (Factory, error) {
	for _, f := range factories {
		if f.Name == name {
			return f, nil
		}
	}
	return Factory{}, fmt.Errorf("unknown workload %q (known: %s)", name, strings.Join(Names(), ", "))
}

// New builds the named workload from its JSON parameters.
func New(name string, params []byte) (workload.Workload, error) {
	f, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	w, err := f.New(params)
	if err != nil {
		return nil, fmt.Errorf("workload %s: %w", name, err)
	}
	return w, nil
}
