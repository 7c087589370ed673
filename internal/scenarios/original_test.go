package scenarios_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	origsys "github.com/dflab/dflab/systems/original"
)

// schedule returns faults that carry out a plan through e's glue.
func schedule(t *testing.T, e *origsys.Sim, text string, schedErr *error) func(*sim.Driver, []sim.NodeID, *mem.Store) {
	p, err := plan.Parse(text)
	require.NoError(t, err)
	return func(d *sim.Driver, _ []sim.NodeID, store *mem.Store) {
		in, err := inject.New(inject.Config{Plan: p, Clock: d.Kernel().Now, Rand: rng.New(1)})
		require.NoError(t, err)
		*schedErr = in.Schedule(inject.SimScheduler(d.Kernel()), e.SimTarget(d, store, nil))
	}
}

// A broken control-queue lease mid-run: the owner loses the queue, a
// worker takes it again, and every instance completes.
func TestLeaseLossOnAControlQueue(t *testing.T) {
	var logs []string
	e := &origsys.Sim{ControlQueues: 4, Visibility: 10 * port.Second, LeaseRenewal: port.Second,
		Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
	sc := scenarios.Hello5(10)
	for i := range sc.Calls { // the second half starts after a lease renewal
		if i >= 5 {
			sc.Calls[i].At = 1500 * port.Millisecond
		}
	}
	sc.Deadline = 120 * port.Second
	var err error
	sc.Faults = schedule(t, e, "at 40ms lease-loss p1\nat 40ms lease-loss p2\n", &err)
	res, runErr := scenarios.Run(e, sc, scenarios.Options{Seed: 4})
	require.NoError(t, runErr)
	require.NoError(t, err)
	require.NoError(t, res.Check(sc))
	require.Equal(t, []string{
		"glue: lease-loss control queue 1: break lease on hub-leases/control-01: <nil>",
		"glue: lease-loss control queue 2: break lease on hub-leases/control-02: <nil>"}, logs)
	lost := 0
	for _, id := range e.Workers {
		lost += res.Driver.Core(id).(*original.Worker).Stats().LeasesLost
	}
	require.Equal(t, 2, lost, "the owners noticed")
}

func TestPlanActionsTheOriginalEngineCannotDoAreRefused(t *testing.T) {
	for _, text := range []string{"at 1s move p1 node0", "torn-tail p1 at crash", "at 1s lease-loss p4", "at 1s crash node7"} {
		e := &origsys.Sim{ControlQueues: 4}
		sc := scenarios.Hello5(1)
		var err error
		sc.Faults = schedule(t, e, text, &err)
		_, runErr := scenarios.Run(e, sc, scenarios.Options{Seed: 1})
		require.NoError(t, runErr)
		require.Error(t, err, text)
		require.Contains(t, err.Error(), "inject.Schedule", text)
	}
}

var _ systems.FaultGlue = (*origsys.Sim)(nil)
