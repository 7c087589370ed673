package harness

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// fixedNow is a constant wall clock, so rows of parallel runs compare equal.
func fixedNow() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// slowFirst finishes repetitions in reverse order of their seeds (the
// first started sleeps longest) and records one completion per run.
var slowFirst = RunnerFunc(func(_ context.Context, req Request) (metrics.Set, error) {
	if req.Progress != nil {
		req.Progress(500)
	}
	time.Sleep(time.Duration(5-req.Repetition) * 2 * time.Millisecond) // finish order only; results never depend on it
	return seedSet(req.Seed)
})

func TestExecuteAllWritesRowsInSpecOrderWhateverTheWorkers(t *testing.T) {
	reg := NewRegistry()
	require.NoError(t, reg.Register("netherite", slowFirst))
	a, b := testSpec(t), testSpec(t)
	a.Repetitions, b.Repetitions, b.Seed = 5, 2, 100
	var want []results.Row
	for _, s := range []spec.Spec{a, b} {
		rows, err := Execute(context.Background(), reg, s, Options{Now: fixedNow})
		require.NoError(t, err)
		want = append(want, rows...)
	}
	for _, workers := range []int{1, 3} {
		var out, status bytes.Buffer
		prog := NewProgress(&status, 7, true, fakeClock())
		rows, err := ExecuteAll(context.Background(), reg, []spec.Spec{a, b}, Options{Now: fixedNow, Out: results.NewWriter(&out), Progress: prog}, workers)
		require.NoError(t, err)
		require.Equal(t, want, rows, "workers=%d", workers)
		back, err := results.Read(&out)
		require.NoError(t, err)
		require.Equal(t, want, back, "file order is spec order")
		require.Contains(t, status.String(), "runs 7/7")
		require.Contains(t, prog.Line(), "events/s")
	}
}

func TestExecuteAllStopsAtTheFirstErrorAndChecksSpecsFirst(t *testing.T) {
	reg := NewRegistry()
	calls := 0
	require.NoError(t, reg.Register("netherite", RunnerFunc(func(ctx context.Context, req Request) (metrics.Set, error) {
		calls++
		return metrics.Set{}, ctx.Err()
	})))
	bad := testSpec(t)
	bad.Engine.Name = "original"
	_, err := ExecuteAll(context.Background(), reg, []spec.Spec{testSpec(t), bad}, Options{}, 2)
	require.ErrorIs(t, err, ErrNoEngine)
	require.Zero(t, calls, "nothing runs when a spec cannot")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rows, err := ExecuteAll(ctx, reg, []spec.Spec{testSpec(t)}, Options{}, 1)
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	require.Empty(t, rows)
}
