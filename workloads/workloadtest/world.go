package workloadtest

import (
	"testing"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay/replaytest"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
	"github.com/stretchr/testify/require"
)

// NewWorld registers w in a fresh registry and returns a World on it (with
// cached cursors).
func NewWorld(t testing.TB, w workload.Workload) *replaytest.World {
	reg := durable.NewRegistry()
	require.NoError(t, w.Register(reg))
	return replaytest.New(t, reg, true)
}

// Deliver hands one client request to the world (without running it).
func Deliver(t testing.TB, world *replaytest.World, req durable.ClientRequest) {
	switch req.Kind {
	case durable.RequestStart:
		world.Deliver(req.Instance, []durable.Event{{Kind: durable.ExecutionStarted, Name: req.Name, Payload: req.Payload}})
	case durable.RequestSignal:
		world.Deliver(req.Instance, []durable.Event{{Kind: durable.EntitySignalRequested, Name: req.Name, Payload: req.Payload}})
	case durable.RequestRaise:
		world.Deliver(req.Instance, []durable.Event{{Kind: durable.EventRaised, Name: req.Name, Payload: req.Payload}})
	case durable.RequestSuspend:
		world.Deliver(req.Instance, []durable.Event{{Kind: durable.ExecutionSuspended, Payload: req.Payload}})
	case durable.RequestResume:
		world.Deliver(req.Instance, []durable.Event{{Kind: durable.ExecutionResumed, Payload: req.Payload}})
	default:
		t.Fatalf("workloadtest: request kind %s is not supported", req.Kind)
	}
}

// RunArrivals delivers every arrival in order, runs the world to
// quiescence and returns what the oracle checks.
func RunArrivals(t testing.TB, world *replaytest.World, arrivals []workload.Arrival) workload.Run {
	for _, a := range arrivals {
		if now := replaytest.T0 + int64(a.At); now > world.Now {
			world.Now = now
		}
		Deliver(t, world, a.Req)
	}
	world.Run()
	return Collect(world, arrivals)
}

// Collect gathers the world's orchestration outcomes and entity states.
func Collect(world *replaytest.World, arrivals []workload.Arrival) workload.Run {
	run := workload.Run{Arrivals: arrivals, Orchestrations: map[string]workload.Outcome{}, Entities: map[string][]byte{}}
	for id, r := range world.Last {
		run.Orchestrations[id] = workload.Outcome{Status: r.Status, Output: r.Output, Failure: durable.FailureText(r.Failure)}
	}
	for id, st := range world.Ents {
		if st.Exists {
			run.Entities[id] = st.State
		}
	}
	return run
}

// Generate builds w's schedule under load from seed, failing the test on
// error.
func Generate(t testing.TB, w workload.Workload, load workload.Load, seed uint64) []workload.Arrival {
	arrivals, err := workload.Generate(w, load, rng.New(seed))
	require.NoError(t, err)
	return arrivals
}

// RunClosed runs n instances of w at once on a fresh world and returns the
// run (not yet checked).
func RunClosed(t testing.TB, w workload.Workload, n int, seed uint64) workload.Run {
	arrivals := Generate(t, w, workload.ClosedLoad(n), seed)
	return RunArrivals(t, NewWorld(t, w), arrivals)
}

// OnlyOracleEntities keeps in run.Entities just the entities the
// workload's EntityOracle names, as a harness that reads those alone sees.
func OnlyOracleEntities(t testing.TB, w workload.EntityOracle, run workload.Run) workload.Run {
	ids, err := w.OracleEntities(run.Arrivals)
	require.NoError(t, err)
	kept := map[string][]byte{}
	for _, id := range ids {
		if st, ok := run.Entities[id.String()]; ok {
			kept[id.String()] = st
		}
	}
	run.Entities = kept
	return run
}
