package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
)

// fakeClock advances one second per call.
func fakeClock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func testSpec(t *testing.T) spec.Spec {
	t.Helper()
	s, err := spec.Decode([]byte(`{"engine":{"name":"netherite"},"backend":{"kind":"sim"},"workload":{"name":"hello5"},"seed":40,"repetitions":3}`))
	require.NoError(t, err)
	return s
}

// fakeRunner "runs" by recording one instance per seed; repetition 1 fails.
var fakeRunner = RunnerFunc(func(_ context.Context, req Request) (metrics.Set, error) {
	req.Progress(1000)
	if req.Repetition == 1 {
		return metrics.Set{}, errors.New("oracle: orchestration hello5-3 never completed")
	}
	return seedSet(req.Seed)
})

// seedSet is a run of one instance that completed after seed ms.
func seedSet(seed uint64) (metrics.Set, error) {
	rec, err := metrics.NewRecorder(metrics.Virtual, 0)
	if err != nil {
		return metrics.Set{}, err
	}
	rec.Complete(0, time.Duration(seed)*time.Millisecond)
	return rec.Set("orchestrations", 1)
}

func TestNoEngineIsAClearError(t *testing.T) {
	_, err := Execute(context.Background(), NewRegistry(), testSpec(t), Options{})
	require.ErrorIs(t, err, ErrNoEngine)
	require.ErrorContains(t, err, `no engine registered for "netherite"; registered: none yet`)
	require.Equal(t, []string{"blobchain", "lambdachain", "netherite", "original", "queuechain", "sql", "workflow"}, Default.Engines(), "every built-in system runs")
}

func TestRegistryRejectsBadRegistrations(t *testing.T) {
	r := NewRegistry()
	require.ErrorContains(t, r.Register("fast", fakeRunner), "not one of netherite, original")
	require.Error(t, r.Register("original", nil))
	require.NoError(t, r.Register("original", fakeRunner))
	require.ErrorContains(t, r.Register("original", fakeRunner), "twice")
	_, err := r.Lookup("netherite")
	require.ErrorContains(t, err, "registered: original")
}

func TestExecuteRunsEveryRepetitionAndRecordsFailures(t *testing.T) {
	reg := NewRegistry()
	require.NoError(t, reg.Register("netherite", fakeRunner))
	var out, status bytes.Buffer
	prog := NewProgress(&status, 3, true, fakeClock())
	rows, err := Execute(context.Background(), reg, testSpec(t), Options{
		Revision: "deadbeef", Out: results.NewWriter(&out), Progress: prog, Now: fakeClock()})
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, []uint64{40, 41, 42}, []uint64{rows[0].Seed, rows[1].Seed, rows[2].Seed})
	require.Equal(t, 42.0, rows[2].Metrics.LastCompletionMs)
	require.Contains(t, rows[1].Error, "never completed")
	require.Equal(t, "deadbeef", rows[0].GitRevision)
	require.Equal(t, 1.0, rows[0].WallTimeSec)
	require.Equal(t, "2026-01-01T00:00:01Z", rows[0].StartedAt)
	require.Equal(t, 12, rows[0].Spec.Engine.Int("partitions"), "rows carry the resolved spec")
	back, err := results.Read(&out)
	require.NoError(t, err)
	require.Equal(t, rows, back)
	require.Contains(t, status.String(), "runs 3/3")
	require.Contains(t, status.String(), "events/s")
}

func TestExecuteStopsOnCancelAndRejectsBadSpecs(t *testing.T) {
	reg := NewRegistry()
	require.NoError(t, reg.Register("netherite", fakeRunner))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Execute(ctx, reg, testSpec(t), Options{})
	require.ErrorIs(t, err, context.Canceled)
	bad := testSpec(t)
	bad.Cluster.Nodes = -1
	_, err = Execute(context.Background(), reg, bad, Options{})
	require.ErrorContains(t, err, "spec.cluster.nodes")
}

func TestInvalidMetricsAreRecordedAsErrors(t *testing.T) {
	reg := NewRegistry()
	require.NoError(t, reg.Register("netherite", RunnerFunc(func(context.Context, Request) (metrics.Set, error) {
		return metrics.Set{Clock: "cpu"}, nil
	})))
	s := testSpec(t)
	s.Repetitions = 1
	rows, err := Execute(context.Background(), reg, s, Options{})
	require.NoError(t, err)
	require.Contains(t, rows[0].Error, "invalid metrics")
}

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, 4, false, fakeClock())
	// The fake clock ticks 1 s per reading: start 1 s, Line 2 s, Line 3 s
	// (a silent progress reads no clock otherwise).
	require.Equal(t, "runs 0/4 · ETA unknown", p.Line())
	p.Events(3_000_000)
	p.RunDone()
	require.Equal(t, "runs 1/4 · 1.50M events/s · ETA 6s", p.Line())
	require.Empty(t, buf.String(), "not a terminal and not forced: silent")
	require.False(t, IsTerminal(&buf))
	q := NewProgress(&buf, 1, true, fakeClock())
	q.RunDone()
	require.True(t, strings.HasSuffix(buf.String(), "\n"))
	require.Contains(t, buf.String(), "done in")
}

// Forced into a file or a pipe, progress is plain lines without escape
// codes: the first finished run, then one per PlainEvery, and the last.
func TestProgressIntoAFileIsPlainLines(t *testing.T) {
	var buf bytes.Buffer
	var now time.Time
	clock := func() time.Time { return now }
	p := NewProgress(&buf, 4, true, clock).Unit("seeds")
	p.Note("0 violations")
	now = now.Add(time.Second)
	p.Events(10)
	require.Empty(t, buf.String(), "no line before PlainEvery or the first finished run")
	p.RunDone()
	now = now.Add(time.Second)
	p.RunDone() // 1 s after the last line: silent
	now = now.Add(PlainEvery)
	p.Events(20) // PlainEvery after the last line: one line
	p.RunDone()  // right after it: silent
	p.Note("1 violations")
	p.RunDone() // the last: always
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Equal(t, []string{
		"seeds 1/4 · 0 violations · 10 events/s · ETA 3s",
		"seeds 2/4 · 0 violations · 2 events/s · ETA 12s",
		"seeds 4/4 · 1 violations · 2 events/s · done in 12s",
	}, lines)
	require.NotContains(t, buf.String(), "\033")
	require.NotContains(t, buf.String(), "\r")
}

// Every sim row records the content hash of its model set beside the
// name: the sha256 of the set's canonical JSON, different for different
// sets, in the JSONL row and in runs.csv.
func TestRowsRecordTheModelSetHash(t *testing.T) {
	reg := NewRegistry()
	require.NoError(t, reg.Register("netherite", RunnerFunc(func(_ context.Context, req Request) (metrics.Set, error) { return seedSet(req.Seed) })))
	hashes := map[string]string{}
	for _, name := range []string{"paper2022", "default"} {
		s := testSpec(t)
		s.Repetitions, s.Backend.Models = 1, name
		rows, err := Execute(context.Background(), reg, s, Options{Now: fakeClock()})
		require.NoError(t, err)
		m, err := simrun.ModelSet(name)
		require.NoError(t, err)
		data, err := json.Marshal(m)
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		require.Equal(t, hex.EncodeToString(sum[:]), rows[0].ModelsHash, name)
		hashes[name] = rows[0].ModelsHash
		var csv bytes.Buffer
		require.NoError(t, results.WriteRunsCSV(&csv, rows))
		require.Contains(t, csv.String(), ","+name+","+rows[0].ModelsHash+",")
	}
	require.NotEqual(t, hashes["paper2022"], hashes["default"])
}

// Free-form status lines (calibrate's) follow the same rule: nothing into
// a file unless forced, then plain lines throttled to PlainEvery, and the
// last one at the end.
func TestStatusLineIntoAFile(t *testing.T) {
	var buf bytes.Buffer
	show, finish := StatusLine(&buf, false, nil)
	require.Nil(t, show)
	finish()
	require.Empty(t, buf.String())
	var now time.Time
	show, finish = StatusLine(&buf, true, func() time.Time { return now })
	show("eval 1")
	now = now.Add(time.Second)
	show("eval 2")
	now = now.Add(PlainEvery)
	show("eval 3")
	show("eval 4")
	finish()
	require.Equal(t, "eval 1\neval 3\neval 4\n", buf.String())
}
