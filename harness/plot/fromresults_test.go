package plot

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

func fakeRow(t *testing.T, engine string, nodes, cores, rep int, ms float64) results.Row {
	t.Helper()
	s, err := spec.Parse([]byte(`{"engine":{"name":"` + engine + `"},"backend":{"kind":"sim"},"workload":{"name":"hello5"},"repetitions":2}`))
	require.NoError(t, err)
	s.Cluster = spec.Cluster{Nodes: nodes, Cores: cores}
	r, err := results.NewRow(s, rep, s.Seed+uint64(rep), "rev")
	require.NoError(t, err)
	rec, err := metrics.NewRecorder(metrics.Virtual, time.Second)
	require.NoError(t, err)
	for i := range 50 {
		start := time.Duration(i) * 100 * time.Millisecond
		rec.Complete(start, start+time.Duration(ms*float64(time.Millisecond)*float64(1+i%5)/float64(nodes)))
	}
	set, err := rec.Set("orchestrations", 1)
	require.NoError(t, err)
	set.Storage = metrics.TrafficOf(meter.Snapshot{{Kind: "queue-enqueue", Counts: meter.Counts{Requests: int64(100 * nodes), BytesWritten: 2e6}}})
	r.Metrics = set
	return r
}

func fakeRows(t *testing.T) []results.Row {
	var rows []results.Row
	for _, e := range []string{"original", "netherite"} {
		for _, n := range []int{1, 4} {
			for rep := range 2 {
				ms := 100.0
				if e == "netherite" {
					ms = 12
				}
				rows = append(rows, fakeRow(t, e, n, 1, rep, ms+float64(rep)))
			}
		}
	}
	return rows
}

func TestFromRowsDrawsEveryKind(t *testing.T) {
	charts, err := FromRows(fakeRows(t), "all", true, true, false)
	require.NoError(t, err)
	var names []string
	for _, c := range charts {
		names = append(names, c.Name)
		requireValid(t, c.Chart)
	}
	require.Subset(t, names, []string{"scaleout-hello5", "throughput-1x1", "throughput-4x1", "traffic-requests", "traffic-mb", "cdf-hello5"})
	require.Len(t, names, 6+2*4) // plus throughput and latency timelines of 4 configurations
	require.Contains(t, charts[0].Chart.Plot.Y.Label.Text, "relative to original 1 node × 1 core")
	_, err = FromRows(nil, "pie", false, false, false)
	require.ErrorContains(t, err, `kind "pie" is not one of`)
}

func TestScaleOutNeedsTwoClusterSizes(t *testing.T) {
	rows := []results.Row{fakeRow(t, "original", 1, 1, 0, 10)}
	charts, err := FromRows(rows, "scaleout", false, false, false)
	require.NoError(t, err)
	require.Empty(t, charts)
}
