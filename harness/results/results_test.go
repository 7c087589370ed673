package results

import (
	"bytes"
	"encoding/csv"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
)

func resolved(t *testing.T, js string) spec.Spec {
	t.Helper()
	s, err := spec.Parse([]byte(js))
	require.NoError(t, err)
	return s
}

// run builds a row whose throughput is tput.
func run(t *testing.T, s spec.Spec, rep int, tput float64) Row {
	t.Helper()
	r, err := NewRow(s, rep, s.Seed+uint64(rep), "abc123")
	require.NoError(t, err)
	rec, err := metrics.NewRecorder(metrics.Virtual, 0)
	require.NoError(t, err)
	rec.Complete(0, 10*time.Millisecond)
	rec.Complete(0, time.Second)
	set, err := rec.Set("orchestrations", tput/2)
	require.NoError(t, err)
	set.Storage = metrics.TrafficOf(meter.Snapshot{{Kind: "page-write", Counts: meter.Counts{Requests: 3, BytesWritten: 1_500_000}}})
	cost, err := metrics.CostOf(meter.AzureListPrices2024, set.Storage.Raw, 0, set.WorkUnits)
	require.NoError(t, err)
	set.Cost = &cost
	r.Metrics, r.StartedAt, r.WallTimeSec = set, "2026-01-01T00:00:00Z", 0.5
	return r
}

const netheriteJS = `{"engine":{"name":"netherite"},"backend":{"kind":"sim"},"cluster":{"nodes":4,"cores":2},"workload":{"name":"hello5"},"repetitions":3}`
const originalJS = `{"engine":{"name":"original"},"backend":{"kind":"sim"},"workload":{"name":"hello5"}}`

func TestJSONLRoundTrip(t *testing.T) {
	s := resolved(t, netheriteJS)
	rows := []Row{run(t, s, 0, 10), run(t, s, 1, 12)}
	rows[1].Error = "engine crashed"
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range rows {
		require.NoError(t, w.Write(r))
	}
	require.Equal(t, 2, strings.Count(buf.String(), "\n"))
	back, err := Read(strings.NewReader(buf.String() + "\n\n"))
	require.NoError(t, err)
	require.Equal(t, rows, back)
	require.Equal(t, rows[0].ConfigID+"-r1", back[1].RunID)
	require.Len(t, rows[0].ConfigID, 12)
}

func TestReadErrorsNameTheLine(t *testing.T) {
	_, err := Read(strings.NewReader("{\"schema\":\"" + Schema + "\"}\n{oops\n"))
	require.ErrorContains(t, err, "line 2")
	_, err = Read(strings.NewReader(`{"schema":"other/v9"}`))
	require.ErrorContains(t, err, `schema "other/v9"`)
	require.Error(t, NewWriter(&bytes.Buffer{}).Write(Row{}))
}

func TestConfigIDDependsOnTheSpecOnly(t *testing.T) {
	a, err := ConfigID(resolved(t, netheriteJS))
	require.NoError(t, err)
	b, err := ConfigID(resolved(t, netheriteJS))
	require.NoError(t, err)
	c, err := ConfigID(resolved(t, originalJS))
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.NotEqual(t, a, c)
}

func TestRunsCSVIsFlatAndComplete(t *testing.T) {
	rows := []Row{run(t, resolved(t, netheriteJS), 0, 10), run(t, resolved(t, originalJS), 0, 4)}
	var buf bytes.Buffer
	require.NoError(t, WriteRunsCSV(&buf, rows))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3)
	head := recs[0]
	col := func(rec []string, name string) string {
		for i, h := range head {
			if h == name {
				return rec[i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	require.Equal(t, "netherite", col(recs[1], "engine"))
	require.Equal(t, "12", col(recs[1], "partitions"))
	require.Equal(t, "", col(recs[1], "control_queues"))
	require.Equal(t, "4", col(recs[2], "control_queues"))
	require.Equal(t, "", col(recs[2], "speculation"))
	require.Equal(t, "10", col(recs[1], "throughput_per_s"))
	require.Equal(t, "3", col(recs[1], "requests_page"))
	require.Equal(t, "1.5", col(recs[1], "mb_written_page"))
	require.Equal(t, "0", col(recs[1], "requests_queue"))
	require.Equal(t, "virtual", col(recs[1], "clock"))
	require.Equal(t, "abc123", col(recs[1], "git_revision"))
	seen := map[string]bool{}
	for _, h := range head {
		require.False(t, seen[h], "duplicate column %s", h)
		seen[h] = true
	}
}

func TestSummaryCSVStatsOverRepetitions(t *testing.T) {
	s := resolved(t, netheriteJS)
	rows := []Row{run(t, s, 0, 10), run(t, s, 1, 12), run(t, s, 2, 14), run(t, resolved(t, originalJS), 0, 4)}
	failed := run(t, s, 3, 1000)
	failed.Error = "boom"
	rows = append(rows, failed)
	groups, err := Groups(rows)
	require.NoError(t, err)
	require.Len(t, groups, 2)
	require.Len(t, groups[0].Runs, 3)
	require.Equal(t, 1, groups[0].Failed)
	st := groups[0].Stats["throughput_per_s"]
	require.Equal(t, 12.0, st.Mean)
	require.InDelta(t, 2, *st.StdDev, 1e-12)
	require.Nil(t, groups[1].Stats["throughput_per_s"].StdDev)

	var buf bytes.Buffer
	require.NoError(t, WriteSummaryCSV(&buf, rows))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3)
	require.Equal(t, SummaryColumnNames(), recs[0])
	idx := func(name string) int {
		for i, h := range recs[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	require.Equal(t, "12", recs[1][idx("throughput_per_s_mean")])
	require.Equal(t, "1", recs[1][idx("failed_runs")])
	require.Equal(t, "", recs[2][idx("throughput_per_s_sd")])
}

func TestLatencyCSVHasEveryBucketOfTheMergedRuns(t *testing.T) {
	s := resolved(t, netheriteJS)
	rows := []Row{run(t, s, 0, 10), run(t, s, 1, 12), run(t, resolved(t, originalJS), 0, 4)}
	var buf bytes.Buffer
	require.NoError(t, WriteLatencyCSV(&buf, rows))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Equal(t, LatencyColumnNames, recs[0])
	// each run recorded 10 ms and 1 s: two buckets per configuration,
	// the Netherite one merged over its two runs
	require.Len(t, recs, 1+2+2)
	first, last := recs[1], recs[2]
	require.Equal(t, []string{"netherite", "local", "hello5", "4", "2", "2"}, first[2:8])
	require.Equal(t, "2", first[10])
	require.Equal(t, "0.5", first[11])
	require.Equal(t, "1", last[11])
	require.Equal(t, "original", recs[3][2])
	require.Equal(t, "", recs[3][3])
	doc := SchemaMarkdown()
	for _, n := range LatencyColumnNames {
		require.Contains(t, doc, "`"+n+"`")
	}
}

func TestSchemaDocumentsEveryColumn(t *testing.T) {
	doc := SchemaMarkdown()
	for _, c := range RunColumns() {
		require.Contains(t, doc, "`"+c.Name+"`")
		require.NotEmpty(t, c.Doc, c.Name)
	}
	for _, n := range SummaryColumnNames() {
		if strings.HasSuffix(n, "_ci95_low") || strings.HasSuffix(n, "_ci95_high") {
			continue // documented together
		}
		require.Contains(t, doc, "`"+n+"`")
	}
	require.Contains(t, doc, "`"+SummaryMetrics[0].Name+"_ci95_low`")
}

// The revision comes from the binary's build info, flagged when the tree
// was dirty, and is unknown when the binary carries none.
func TestRevisionFromBuildInfo(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, c := range []struct {
		settings []debug.BuildSetting
		want     string
	}{
		{[]debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}, rev},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}, rev + "-dirty"},
		{[]debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, UnknownRevision},
		{nil, UnknownRevision},
	} {
		require.Equal(t, c.want, RevisionOf(c.settings))
	}
}
