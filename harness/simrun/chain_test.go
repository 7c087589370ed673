package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
)

func chainSpec(t *testing.T, system, faults string, n, nodes int) spec.Spec {
	t.Helper()
	s := resolved(t, spec.EngineOriginal, "sequence", `{"length":10}`, n, nodes)
	s.Engine = spec.Engine{Name: system}
	s.Faults = faults
	rs, err := s.Resolve()
	require.NoError(t, err)
	return rs
}

// The trigger chains run the Sequence workload in the simulator and pass
// its oracle; the same seed gives the same trace hash. Their latency is
// the listeners' algorithms on the storage models: the queue chain's ten
// hops each wait for a poll (100 ms after a hit, a wake-up when the same
// host enqueued), the blob chain's each for the next 10 s container scan,
// the Lambda chain's each for the 1 s event delay.
func TestTriggerChainsRunTheSequence(t *testing.T) {
	for _, c := range []struct {
		system       string
		p50Lo, p50Hi float64
	}{{"queuechain", 50, 3000}, {"blobchain", 90_000, 110_000}, {"lambdachain", 10_000, 11_000}} {
		t.Run(c.system, func(t *testing.T) {
			s := chainSpec(t, c.system, "", 6, 2)
			var hashes []string
			for range 2 {
				out, err := RunWith(context.Background(), s, 5, Options{})
				require.NoError(t, err)
				require.EqualValues(t, 6, out.Metrics.Completed)
				require.GreaterOrEqual(t, out.Metrics.Latency.P50Ms, c.p50Lo)
				require.Less(t, out.Metrics.Latency.P50Ms, c.p50Hi)
				require.Positive(t, out.Metrics.Cost.Bill.ByClass["function-executions"])
				hashes = append(hashes, out.TraceHash)
				t.Logf("%s: p50 %.0f ms p99 %.0f ms", c.system, out.Metrics.Latency.P50Ms, out.Metrics.Latency.P99Ms)
			}
			require.Equal(t, hashes[0], hashes[1])
		})
	}
}

// A crash of a function host mid-chain loses nothing: the messages it had
// dequeued reappear after the visibility timeout (2 s here), their steps
// run again (at least once), and every chain completes once with its
// oracle's output. The blob chain's receipts and scan claim lapse and
// another host takes them over.
func TestTriggerChainsSurviveAHostCrash(t *testing.T) {
	for _, c := range []struct{ system, knobs string }{{"queuechain", "2s"}, {"blobchain", "2s"}} {
		t.Run(c.system, func(t *testing.T) {
			s := chainSpec(t, c.system, "at 150ms crash node0\nat 900ms restart node0", 6, 2)
			s.Engine.Knobs["queue.visibility"] = c.knobs
			// The crash time is chosen for this set's storage latencies:
			// at 150 ms node0 holds dequeued messages.
			s.Backend.Models = ModelsPaper2022c
			out, err := RunWith(context.Background(), s, 3, Options{})
			require.NoError(t, err)
			require.EqualValues(t, 1, out.Faults.Total("crash"))
			require.EqualValues(t, 6, out.Metrics.Completed)
			require.Greater(t, out.Metrics.Latency.MaxMs, 1500.0, "a chain waited for its message's visibility timeout or the receipt's claim")
			again, err := RunWith(context.Background(), s, 3, Options{})
			require.NoError(t, err)
			require.Equal(t, out.TraceHash, again.TraceHash)
		})
	}
}

// The planted bug (a step's message deleted before the next is written)
// loses a chain when its host crashes between the two: the completion
// checker fails.
func TestQueueChainPlantedBugIsCaught(t *testing.T) {
	caught := false
	for seed := uint64(1); seed <= 20 && !caught; seed++ {
		s := chainSpec(t, "queuechain", "at 100ms crash node0\nat 300ms restart node0\nat 600ms crash node1\nat 800ms restart node1", 8, 2)
		s.Engine.Knobs["queue.visibility"] = "2s"
		_, err := RunWith(context.Background(), s, seed, Options{Planted: "delete-before-next"})
		caught = Checker(err) == CheckCompletion
	}
	require.True(t, caught, "the lost chain is caught")
}
