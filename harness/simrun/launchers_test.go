package simrun

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
)

// With spec.load.launchers, the client signals one launcher entity per
// batch and the entities start the orchestrations (both engines): every
// instance completes with its oracle's output, by a different path (more
// events) than client starts take.
func TestLauncherEntitiesStartEveryInstance(t *testing.T) {
	for _, e := range []string{"netherite", "original"} {
		t.Run(e, func(t *testing.T) {
			direct := resolved(t, e, "hello5", "", 30, 2)
			s := direct
			s.Load.Launchers = 12 // batches of 12, 12 and 6
			s, err := s.Resolve()
			require.NoError(t, err)
			m, err := Run(context.Background(), s, 1, nil)
			require.NoError(t, err)
			require.EqualValues(t, 30, m.Completed)
			require.Zero(t, m.Failed)
			require.Contains(t, strings.Join(m.Notes, "; "), "oracle passed (30 orchestrations")
			d, err := Run(context.Background(), direct, 1, nil)
			require.NoError(t, err)
			require.NotEqual(t, d.Events, m.Events, "launchers take another path than client starts")
		})
	}
}

func TestLaunchCallsBatchStartsInOrder(t *testing.T) {
	var arrivals []workload.Arrival
	for i := range 5 {
		arrivals = append(arrivals, workload.Arrival{Instance: i, Req: durable.ClientRequest{Kind: durable.RequestStart, Name: "Hello5", Instance: fmt.Sprint("h", i)}})
	}
	arrivals = append(arrivals, workload.Arrival{Instance: 5, Req: durable.ClientRequest{Kind: durable.RequestSignal, Instance: "@e@1"}})
	signals, batches, rest, err := launchCalls(arrivals, 2)
	require.NoError(t, err)
	require.Equal(t, arrivals[5:], rest, "what is not a start is kept")
	require.Len(t, signals, 3)
	require.Equal(t, "@dflab-launcher@2", signals[2].Req.Instance)
	require.Equal(t, durable.RequestSignal, signals[0].Req.Kind)
	require.Equal(t, []int{0, 1}, batches[0].instances)
	require.Equal(t, []string{"h4"}, batches[2].ids)
	require.JSONEq(t, `[{"name":"Hello5","instance":"h2"},{"name":"Hello5","instance":"h3"}]`, string(signals[1].Req.Payload))
}
