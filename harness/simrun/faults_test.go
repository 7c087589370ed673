package simrun

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/spec"
)

// A node that crashes and stays down holds up its partitions' instances
// until the heal phase restarts it; then every instance completes with its
// oracle's output, the crash is counted, and the same seed gives the same
// trace hash.
func TestHealPhaseRestartsCrashedNodes(t *testing.T) {
	for _, e := range spec.Engines {
		t.Run(e, func(t *testing.T) {
			s := resolved(t, e, "bank", `{"pairs":2}`, 6, 2)
			s.Faults = "at 5ms crash node1"
			opts := Options{HealAt: 2 * port.Second, HealBudget: 10 * 60 * port.Second, Settle: 60 * port.Second}
			out, err := RunWith(context.Background(), s, 3, opts)
			require.NoError(t, err)
			require.EqualValues(t, 1, out.Faults.Total("crash"))
			require.Greater(t, out.Metrics.Latency.MaxMs, 2000.0, "an instance waited for the heal phase")
			again, err := RunWith(context.Background(), s, 3, opts)
			require.NoError(t, err)
			require.Equal(t, out.TraceHash, again.TraceHash)
		})
	}
}

// A torn commit-log tail left at a crash is cut at recovery.
func TestTornTailAtCrashIsCut(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 10, 2)
	s.Faults = "at 20ms crash node1\nat 60ms restart node1\ntorn-tail p1 at crash"
	var logs []string
	out, err := RunWith(context.Background(), s, 5, Options{Log: func(l string) { logs = append(logs, l) }})
	require.NoError(t, err)
	require.EqualValues(t, 1, out.Faults.Total("torn-tail"))
	require.Contains(t, strings.Join(logs, "\n"), "netherite p01: log hub/p01/log: cut torn tail at offset")
}

// Checker failures name their checker: a planted send-before-persist bug
// fails persist-before-send, a planted early lock release fails isolation.
func TestCheckErrorsNameTheChecker(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 5, 2)
	_, err := RunWith(context.Background(), s, 1, Options{Planted: "send-before-persist"})
	require.Equal(t, CheckOrdering, Checker(err), "%v", err)

	s = resolved(t, spec.EngineOriginal, "bank", `{"pairs":1}`, 6, 2)
	_, err = RunWith(context.Background(), s, 1, Options{Planted: "release-lock-early"})
	require.Equal(t, CheckIsolation, Checker(err), "%v", err)

	_, err = RunWith(context.Background(), s, 1, Options{Planted: "typo"})
	require.ErrorContains(t, err, `Config.Planted = "typo", allowed: "" (none), skip-dedup`)
	require.Empty(t, Checker(err))
}
