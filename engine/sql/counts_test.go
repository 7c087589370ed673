package sql_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	sqlengine "github.com/dflab/dflab/engine/sql"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
	sqlsys "github.com/dflab/dflab/systems/sql"
)

// sequence is Sequence(n): n activities one after the other.
func sequence(n int) scenarios.Scenario {
	setup := func(reg *durable.Registry) error {
		if err := reg.AddActivity("Echo", func(ctx durable.ActivityContext) (any, error) {
			var i int
			err := ctx.GetInput(&i)
			return i, err
		}); err != nil {
			return err
		}
		return reg.AddOrchestrator("Sequence", func(ctx *durable.OrchestrationContext) (any, error) {
			sum := 0
			for i := 0; i < n; i++ {
				var v int
				if err := ctx.CallActivity("Echo", i).Await(&v); err != nil {
					return nil, err
				}
				sum += v
			}
			return sum, nil
		})
	}
	sc := scenarios.Scenario{Name: fmt.Sprintf("Sequence%d", n), Setup: setup}
	sc.Calls = append(sc.Calls, scenarios.Call{Req: durable.ClientRequest{Kind: durable.RequestStart, Instance: "seq", Name: "Sequence"}})
	sc.Expect = append(sc.Expect, scenarios.Expect{Instance: "seq", Status: durable.StatusCompleted, Output: fmt.Sprint(n * (n - 1) / 2)})
	return sc
}

// Procedure calls of one Sequence(n) orchestration, as the provider makes
// them: the client's CreateInstance; n+1 orchestration steps (the start,
// then one per activity result), each a LockNextOrchestration that finds
// the instance and a Checkpoint; n activities, each a LockNextTask that
// finds it and a CompleteTasks. That is 1 + 2(n+1) + 2n = 4n + 3 calls
// (Hello3 15, Sequence10 43), besides empty polls (time-driven, counted
// by the workers' Stats), the client's once-a-second QueryInstance of a
// wait, and one CreateSchema per worker at start.
func TestSequenceRequestCounts(t *testing.T) {
	for _, n := range []int{3, 5, 10} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			m := meter.New()
			e := &sqlsys.Sim{Seed: 1}
			sc := sequence(n)
			res, err := scenarios.Run(e, sc, scenarios.Options{Seed: 5, Nodes: 1,
				Inject: func(*sim.Kernel) (port.Middleware, func(string, port.Time) port.Time) {
					return m.Middleware, nil
				}})
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
			st := res.Driver.Core(e.Workers[0]).(*sqlengine.Worker).Stats()
			snap := m.Snapshot()
			got := map[string]int64{}
			for _, k := range snap {
				got[k.Kind] = k.Requests
			}
			got["sql-lock-next-orchestration"] -= int64(st.EmptyOrchestrationPolls)
			got["sql-lock-next-task"] -= int64(st.EmptyActs)
			require.Positive(t, got["sql-query-instance"], "the client's wait polls")
			polls := got["sql-query-instance"]
			delete(got, "sql-query-instance")
			want := map[string]int64{"sql-create-schema": 1, "sql-create-instance": 1,
				"sql-lock-next-orchestration": int64(n + 1), "sql-checkpoint-orchestration": int64(n + 1),
				"sql-lock-next-task": int64(n), "sql-complete-tasks": int64(n)}
			require.Equal(t, want, got)
			total := int64(0)
			for k, v := range got {
				if k != "sql-create-schema" {
					total += v
				}
			}
			require.Equal(t, int64(4*n+3), total)
			require.Zero(t, snap.Total().Errors)
			t.Logf("Sequence%d: %d calls + %d empty orchestration polls + %d empty task polls + %d wait polls, done at %v virtual",
				n, total, st.EmptyOrchestrationPolls, st.EmptyActs, polls, res.End)
		})
	}
}
