package scenarios

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
)

// withCrash returns sc with node 1 crashing at crashAt and restarting
// restartAfter later.
func withCrash(sc Scenario, crashAt, restartAfter port.Time) Scenario {
	sc.Name += "+crash"
	sc.Faults = func(d *sim.Driver, nodes []sim.NodeID, _ *mem.Store) {
		d.CrashAt(crashAt, nodes[1])
		d.RestartAt(crashAt+restartAfter, nodes[1])
	}
	return sc
}

func TestNetheriteCrashRecovery(t *testing.T) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal} {
		for _, ckpt := range []int{-1, 20} {
			for _, base := range []Scenario{Hello5(30), Bank(6), SubOrchestrations(), Entities(), FanOutFanIn(30)} {
				for _, crashAt := range []port.Time{5 * ms, 20 * ms, 35 * ms} {
					sc := withCrash(base, crashAt, 50*ms)
					name := fmt.Sprintf("%s/ckpt%d/%s@%v", spec, ckpt, sc.Name, crashAt)
					t.Run(name, func(t *testing.T) {
						var logs []string
						e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 4 << 20, CheckpointEvents: ckpt},
							Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
						res, err := Run(e, sc, Options{Seed: 3})
						require.NoError(t, err)
						require.NoError(t, res.Check(sc), strings.Join(logs, "\n"))
						require.Equal(t, uint64(1), res.Stats.Crashes)
						require.Empty(t, res.Violations)
						require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered exactly once")
						require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered exactly once")
					})
				}
			}
		}
	}
}

// A partition whose lease is broken under it (its flush fails with
// ErrLeaseLost) restarts from storage, takes the lease again and finishes
// the work; nothing is lost or done twice.
func TestNetheriteLeaseLossRestarts(t *testing.T) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		t.Run(spec.String(), func(t *testing.T) {
			sc := Bank(6)
			sc.Faults = func(d *sim.Driver, _ []sim.NodeID, store *mem.Store) {
				// After the partitions booted (their first checkpoint and
				// epoch start are written), while p1 is flushing.
				d.Kernel().Schedule(30*ms, sim.HandlerFunc(func(port.Time, uint64) {
					_, err := store.BreakLease(context.Background(), "hub/p01/log", 0)
					require.NoError(t, err)
				}), 0)
			}
			var logs []string
			e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 4 << 20, AcquireRetry: 10 * ms},
				Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
			res, err := Run(e, sc, Options{Seed: 11})
			require.NoError(t, err)
			all := strings.Join(logs, "\n")
			require.NoError(t, res.Check(sc), all)
			require.Empty(t, res.Violations)
			require.NotContains(t, all, "stopped:", "no core failed for good")
			require.Regexp(t, `netherite p01: restarting from storage: (flush to|lease on|start epoch [0-9]+ of log) hub/p01/log`, all)
			p1 := res.Driver.Core(e.Cores[1]).(*netherite.Partition)
			require.True(t, p1.Owns())
			st := p1.Stats()
			require.EqualValues(t, 1, st.Restarts-st.SoftRestarts, "one restart for the lease (global may add soft ones)")
		})
	}
}

// A commit log far smaller than what the run writes: it wraps around many
// times behind the checkpoints (taken at a quarter of its size), and a
// partition that crashes recovers from the checkpoint and the wrapped
// suffix. Nothing is lost or done twice.
func TestNetheriteCircularLogWrapsAcrossCrashes(t *testing.T) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		t.Run(spec.String(), func(t *testing.T) {
			sc := withCrash(Hello5(600), 350*ms, 30*ms)
			var logs []string
			e := &Netherite{Partitions: 2, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 256 * port.PageSize},
				Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
			res, err := Run(e, sc, Options{Seed: 13})
			require.NoError(t, err)
			all := strings.Join(logs, "\n")
			require.NoError(t, res.Check(sc), all)
			require.Empty(t, res.Violations)
			require.NotContains(t, all, "stopped:")
			require.Regexp(t, `netherite p01: recovered to seq \d+ \(checkpoint seq [1-9]`, all)
			var wraps, flushed uint64
			for _, c := range e.Cores {
				st := res.Driver.Core(c).(*netherite.Partition).Stats()
				wraps, flushed = wraps+st.Wraps, flushed+st.FlushedBytes
			}
			t.Logf("%s: %d wraps, %d KiB flushed through 128 KiB logs", spec, wraps, flushed>>10)
			require.Positive(t, wraps)
		})
	}
}

// A partition moved under global speculation while its last updates wait
// for another partition's confirmation, which itself waits for this one's
// (fault campaign seed 2515): the stopping partition keeps sending its
// confirmations, so both flushes go through and the move completes.
func TestNetheriteMoveUnderGlobalSpeculationDoesNotDeadlock(t *testing.T) {
	for _, at := range []port.Time{150 * ms, 226 * ms, 300 * ms} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			var logs []string
			e := &Netherite{Partitions: 5, Knobs: netherite.Knobs{Speculation: netherite.SpeculationGlobal,
				LogBytes: 4 << 20, AcquireRetry: 10 * ms, CheckpointEvents: 10},
				Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
			sc := Bank(8)
			sc.Faults = func(d *sim.Driver, _ []sim.NodeID, _ *mem.Store) {
				d.Kernel().Schedule(at, sim.HandlerFunc(func(now port.Time, _ uint64) {
					from := e.Cores[1]
					if !d.Core(from).(*netherite.Partition).Owns() {
						from = e.Standbys[1][0]
					}
					d.Deliver(now, from, port.ClientCall{ID: 1 << 40, Req: netherite.Stop{}})
				}), 0)
			}
			res, err := Run(e, sc, Options{Seed: 21, Nodes: 3})
			require.NoError(t, err)
			all := strings.Join(logs, "\n")
			require.NoError(t, res.Check(sc), all)
			require.Contains(t, all, "netherite p01: stopped by")
		})
	}
}
