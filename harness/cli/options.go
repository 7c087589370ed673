package cli

import (
	"fmt"
	"path/filepath"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	"github.com/dflab/dflab/workloads"
)

// Option adds to what the command line serves: a researcher's module
// calls Main(os.Args, WithEngine(...), WithWorkload(...)) and gets every
// subcommand for its own systems and workloads besides the built-in ones.
type Option func(*config)

// config is what the options set.
type config struct {
	systems   []*systems.System
	workloads []workloads.Factory
	program   string
}

// WithEngine registers a system (its descriptor) beside the built-in
// ones: spec, run, sweep, faults and repro run it by its name.
func WithEngine(s *systems.System) Option {
	return func(c *config) { c.systems = append(c.systems, s) }
}

// WithWorkload registers a workload beside the built-in ones: specs name
// it, and the fault campaign draws it (with Factory.Draw's parameters).
func WithWorkload(f workloads.Factory) Option {
	return func(c *config) { c.workloads = append(c.workloads, f) }
}

// WithProgram names the program in the commands it prints (repro
// commands); Main uses the base name of args[0], dflab by default.
func WithProgram(name string) Option {
	return func(c *config) { c.program = name }
}

// newEnv builds a command's environment from the options: the catalog of
// systems and workloads and the runners' registry.
func newEnv(e *env, opts []Option) error {
	var c config
	for _, o := range opts {
		o(&c)
	}
	e.program = c.program
	if e.program == "" {
		e.program = "dflab"
	}
	if len(c.systems) == 0 && len(c.workloads) == 0 {
		e.registry = registry
		e.catalog = registry.Catalog()
		return nil
	}
	sys, wl := builtin.Systems(), workloads.Builtin()
	for _, s := range c.systems {
		if err := sys.Register(s); err != nil {
			return fmt.Errorf("cli.WithEngine: %w", err)
		}
	}
	for _, f := range c.workloads {
		if err := wl.Register(f); err != nil {
			return fmt.Errorf("cli.WithWorkload: %w", err)
		}
	}
	e.catalog = spec.Catalog{Systems: sys, Workloads: wl}
	e.registry = harness.DefaultIn(e.catalog)
	return nil
}

// programName is the base name of args[0] ("dflab" if there is none).
func programName(args []string) string {
	if len(args) == 0 || args[0] == "" {
		return "dflab"
	}
	return filepath.Base(args[0])
}
