package golden

import (
	"fmt"

	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	nethsys "github.com/dflab/dflab/systems/netherite"
	origsys "github.com/dflab/dflab/systems/original"
	sqlsys "github.com/dflab/dflab/systems/sql"
)

// Systems are the systems a script's engine line may name.
var Systems = builtin.Systems()

// deployment is a system under a script: its simulator deployment, its
// fault glue and its end-of-run counters.
type deployment interface {
	systems.Deployment
	systems.FaultGlue
	systems.Counters
}

// scriptDefaults are the knob values of a script's engine before its
// engine line's: small partitions and logs, quick lease retries and
// visibility timeouts, so that scenarios end in virtual seconds.
var scriptDefaults = map[string]systems.Values{
	nethsys.System.Name: {nethsys.KnobPartitions: "4", nethsys.KnobLogBytes: "4MiB", nethsys.KnobAcquireRetry: "10ms"},
	origsys.System.Name: {origsys.KnobControlQueues: "4", origsys.KnobVisibility: "10s"},
	sqlsys.System.Name:  {sqlsys.KnobLockTimeout: "10s"},
}

func newDeployment(s *Script, logf func(string, ...any)) (deployment, error) {
	sys, err := Systems.Lookup(s.Engine)
	if err != nil {
		return nil, err
	}
	dep, err := sys.Sim(systems.SimConfig{Knobs: scriptDefaults[s.Engine].With(s.Opts), Logf: logf})
	if err != nil {
		return nil, fmt.Errorf("engine %s: %w", s.Engine, err)
	}
	d, ok := dep.(deployment)
	if !ok {
		return nil, fmt.Errorf("engine %s: its deployment has no fault glue or counters", s.Engine)
	}
	return d, nil
}

// checkOptions checks an engine line's options against its system's knobs.
func checkOptions(engine string, opts systems.Values) error {
	sys, err := Systems.Lookup(engine)
	if err != nil {
		return err
	}
	_, err = sys.Parse(opts, systems.RunnerSim)
	return err
}
