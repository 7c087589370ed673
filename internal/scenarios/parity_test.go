package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/systems"
	origsys "github.com/dflab/dflab/systems/original"
	sqlsys "github.com/dflab/dflab/systems/sql"
	wfsys "github.com/dflab/dflab/systems/workflow"
)

// The parity table in the simulator: Netherite at every speculation level,
// the original engine with and without extended sessions, the sql engine. Every row's
// expectations are asserted on every engine; none is skipped.
func TestParityInSimulator(t *testing.T) {
	type engine struct {
		name     string
		make     func() Engine
		outboxOK bool // the outbox rule holds (not under global speculation)
	}
	var engines []engine
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		engines = append(engines, engine{"netherite-" + spec.String(), func() Engine { return netheriteEngine(t, spec) },
			spec != netherite.SpeculationGlobal})
	}
	for _, ext := range []bool{false, true} {
		engines = append(engines, engine{fmt.Sprintf("original-ext=%v", ext), func() Engine {
			return &origsys.Sim{ControlQueues: 4, Extended: ext, ReplayCheck: true}
		}, true})
	}
	engines = append(engines, engine{"sql", func() Engine { return &sqlsys.Sim{VCores: 2, Seed: 3} }, true})
	for _, e := range engines {
		for _, sc := range Parity() {
			t.Run(e.name+"/"+sc.Name, func(t *testing.T) {
				res, err := Run(e.make(), sc, Options{Seed: 7})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				if e.outboxOK {
					require.Empty(t, res.Violations)
				}
			})
		}
	}
}

// The workflow service's part of the parity table in the simulator.
func TestWorkflowParityInSimulator(t *testing.T) {
	for _, sc := range WorkflowParity() {
		t.Run(sc.Name, func(t *testing.T) {
			e, err := wfsys.System.Sim(systems.SimConfig{})
			require.NoError(t, err)
			res, err := Run(e, sc, Options{Seed: 7})
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
		})
	}
}
