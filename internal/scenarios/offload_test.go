package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

// offloadRun runs a fan-out of CPU-heavy activities whose orchestration
// lives on one node, on two single-core nodes, with load reports every
// report (negative: off).
func offloadRun(t *testing.T, report port.Time) (*Result, *Netherite, string) {
	t.Helper()
	models := sim.DefaultModels()
	models.CPU.CostsMs["activity:Square"] = rng.Const(25)
	var logs []string
	e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{MaxActivities: 4, LoadReport: report, LogBytes: 4 << 20},
		Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
	sc := FanOutFanIn(80)
	res, err := Run(e, sc, Options{Seed: 4, Nodes: 2, CoresPerNode: 1, Models: models})
	require.NoError(t, err)
	all := strings.Join(logs, "\n")
	require.NoError(t, res.Check(sc), all)
	require.Empty(t, res.Violations)
	return res, e, all
}

// The load monitor moves activities waiting on the busy node to the idle
// one: the fan-out finishes sooner (in virtual time) than without
// reports, with the same output, each activity's result counted once.
func TestNetheriteOffloadsToTheIdleNode(t *testing.T) {
	off, _, _ := offloadRun(t, -1)
	on, e, logs := offloadRun(t, 100*ms)
	home := durable.Partition("fan", 4)
	p := on.Driver.Core(e.Cores[home]).(*netherite.Partition)
	require.Positive(t, p.Stats().Offloaded, logs)
	m := on.Driver.Core(e.Monitor).(*netherite.LoadMonitor)
	require.Positive(t, m.Stats().Offloads)
	require.Contains(t, logs, fmt.Sprintf("netherite p%02d: offloading", home))
	t.Logf("fan-out of 80 × 25 ms on 2 × 1 core: %v without offloading, %v with (%d activities moved)",
		off.End, on.End, p.Stats().Offloaded)
	require.Less(t, float64(on.End), 0.8*float64(off.End), "offloading must shorten the run")
}
