package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
)

func netheriteEngine(t *testing.T, spec netherite.Speculation) *Netherite {
	// ReplayCheck is on in tests: every step replays, as the original
	// engine's do, so IsReplaying and nondeterminism detection agree.
	return &Netherite{Partitions: 4, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 4 << 20, ReplayCheck: true},
		Logf: func(format string, args ...any) { t.Logf(format, args...) }}
}

func TestNetheriteSuite(t *testing.T) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		for _, sc := range Suite() {
			t.Run(fmt.Sprintf("%s/%s", spec, sc.Name), func(t *testing.T) {
				e := netheriteEngine(t, spec)
				res, err := Run(e, sc, Options{Seed: 7})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				if spec != netherite.SpeculationGlobal {
					require.Empty(t, res.Violations, "outbox rule")
				}
				require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered once")
				t.Logf("%s: done at %v virtual, %d events, %d storage requests", sc.Name, res.End, res.Events, res.Stats.Requests)
			})
		}
	}
}

func TestNetheriteSameSeedSameTrace(t *testing.T) {
	sc := Bank(4)
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		run := func(seed uint64) uint64 {
			res, err := Run(netheriteEngine(t, spec), sc, Options{Seed: seed})
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
			return res.TraceHash
		}
		a, b := run(11), run(11)
		require.Equal(t, a, b, "%s: same seed, same trace hash", spec)
		require.NotEqual(t, a, run(12), "%s: another seed, another trace", spec)
	}
}

func TestNetheriteClientAnswers(t *testing.T) {
	sc := Terminate()
	res, err := Run(netheriteEngine(t, netherite.SpeculationLocal), sc, Options{Seed: 2})
	require.NoError(t, err)
	require.NoError(t, res.Check(sc))
	byCall := map[int]Response{}
	for _, r := range res.Responses {
		if r.Call != 3 {
			require.NoError(t, r.Err)
		}
		byCall[r.Call] = r
	}
	require.ErrorIs(t, byCall[3].Err, durable.ErrInstanceExists, "a second start of a running instance is refused")
	require.True(t, byCall[1].Resp.Found)
	require.Equal(t, durable.StatusPending, byCall[1].Resp.Status.Status, "start answers Pending")
	require.Equal(t, durable.StatusRunning, byCall[2].Resp.Status.Status, "status while waiting")
	require.Equal(t, "Forever", byCall[2].Resp.Status.Name)
	require.Equal(t, durable.StatusRunning, byCall[3].Resp.Status.Status, "a second start of a running instance reports it")
	require.Equal(t, `"enough"`, string(res.Final["forever"].Output))
}

func TestNetheriteMaxActivities(t *testing.T) {
	sc := FanOutFanIn(30)
	e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{MaxActivities: 3, LogBytes: 4 << 20}}
	res, err := Run(e, sc, Options{Seed: 4})
	require.NoError(t, err)
	require.NoError(t, res.Check(sc))
	peak := uint64(0)
	for _, c := range e.Cores {
		peak = max(peak, res.Driver.Core(c).(*netherite.Partition).Stats().PeakActivities)
	}
	require.Equal(t, uint64(3), peak, "30 activities of one orchestration, never more than 3 at once")
}
