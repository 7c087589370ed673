package replay_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/durable"
	. "github.com/dflab/dflab/engine/replay"
	"github.com/dflab/dflab/engine/replay/replaytest"
	"github.com/stretchr/testify/require"
)

// flakyRegistry has a parent that calls the sub-orchestration "Flaky" under
// the fixed id "child" with a retry policy of attempts tries; Flaky fails
// until its activity has run failures+1 times.
func flakyRegistry(t *testing.T, attempts, failures int) (*durable.Registry, *int) {
	reg := durable.NewRegistry()
	runs := new(int)
	mustAdd(t, reg.AddActivity("Attempt", func(durable.ActivityContext) (any, error) {
		*runs++
		if *runs <= failures {
			return nil, fmt.Errorf("attempt %d fails", *runs)
		}
		return *runs, nil
	}))
	mustAdd(t, reg.AddOrchestrator("Flaky", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		err := ctx.CallActivity("Attempt", nil).Await(&n)
		return n, err
	}))
	mustAdd(t, reg.AddOrchestrator("Parent", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		err := ctx.CallSubOrchestrator("Flaky", nil, durable.WithInstanceID("child"),
			durable.WithRetry(durable.RetryPolicy{MaxAttempts: attempts, FirstInterval: time.Second})).Await(&n)
		return n, err
	}))
	return reg, runs
}

// Regression (issue 22, item 1): a start for an id whose execution ended
// was dropped, so a sub-orchestration retried under a fixed id ran once and
// its parent stayed Running forever.
func TestSubOrchestrationRetryWithFixedIDRunsTheChildAgain(t *testing.T) {
	for _, cursor := range []bool{true, false} {
		t.Run(fmt.Sprintf("cursor=%v", cursor), func(t *testing.T) {
			reg, runs := flakyRegistry(t, 3, 2)
			w := replaytest.New(t, reg, cursor)
			w.Start("p", "Parent", nil)
			w.Run()
			var n int
			require.Equal(t, durable.StatusCompleted, w.Output("p", &n), w.Last["p"].Failure)
			require.Equal(t, 3, n)
			require.Equal(t, 3, *runs)
			require.Equal(t, durable.StatusCompleted, w.Last["child"].Status)
			// The child's history is its last execution's alone.
			require.Equal(t, 1, countKind(w.Hist["child"], durable.ExecutionStarted))
		})
	}
}

func TestSubOrchestrationRetryWithFixedIDFailsAfterTheLastAttempt(t *testing.T) {
	reg, runs := flakyRegistry(t, 2, 5)
	w := replaytest.New(t, reg, true)
	w.Start("p", "Parent", nil)
	w.Run()
	require.Equal(t, durable.StatusFailed, w.Last["p"].Status)
	require.Contains(t, w.Last["p"].Failure, `sub-orchestration "Flaky" failed`)
	require.Contains(t, w.Last["p"].Failure, "attempt 2 fails")
	require.Equal(t, 2, *runs)
}

// A start for a finished instance begins a new execution at the executor:
// the step says so, and its history is the new execution's alone.
func TestStartOfAFinishedExecutorBeginsANewExecution(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Echo", func(ctx *durable.OrchestrationContext) (any, error) {
		var s string
		err := ctx.GetInput(&s)
		return s, err
	}))
	start := func(in string) durable.Event {
		return durable.Event{Kind: durable.ExecutionStarted, Name: "Echo", Payload: []byte(`"` + in + `"`)}
	}
	x := New(reg, "e")
	first := x.Step(replaytest.T0, []durable.Event{start("one")})
	require.Equal(t, durable.StatusCompleted, first.Status)
	require.False(t, first.NewExecution)
	require.JSONEq(t, `"one"`, string(first.Output))

	again := x.Step(replaytest.T0+1, []durable.Event{start("two")})
	require.True(t, again.NewExecution)
	require.Equal(t, durable.StatusCompleted, again.Status)
	require.JSONEq(t, `"two"`, string(again.Output))
	require.Equal(t, durable.OrchestratorStarted, again.History[0].Kind)
	require.Equal(t, durable.ExecutionStarted, again.History[1].Kind)
	require.Equal(t, 1, countKind(again.History, durable.ExecutionStarted))

	// The new history replays on its own to the same outcome.
	y := New(reg, "e")
	y.Replay(again.History)
	require.Equal(t, durable.StatusCompleted, y.Status())

	// Events of the ended execution that come before the start in the same
	// batch are dropped; the ended execution's completion still notifies
	// its parent.
	z := New(reg, "c")
	child := start("x")
	child.Instance, child.ID = "parent", 4
	r := z.Step(replaytest.T0, []durable.Event{child})
	require.Len(t, r.Messages, 1)
	r = z.Step(replaytest.T0+1, []durable.Event{{Kind: durable.EventRaised, Name: "late"}, start("y")})
	require.True(t, r.NewExecution)
	require.Empty(t, r.Messages, "the new execution has no parent")
	require.JSONEq(t, `"y"`, string(r.Output))
}

func countKind(h []durable.Event, k durable.EventKind) int {
	n := 0
	for _, e := range h {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// Regression (issue 22, item 2): WhenAll reported the failure that came
// first in time; its error is the first failing task's in argument order.
func TestWhenAllFailsWithTheFirstFailureInArgumentOrder(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Both", func(ctx *durable.OrchestrationContext) (any, error) {
		return nil, ctx.WhenAll(ctx.CallActivity("A", nil), ctx.CallActivity("B", nil)).Await(nil)
	}))
	for _, cursor := range []bool{true, false} {
		var hist []durable.Event
		x := New(reg, "w")
		step := func(now int64, e durable.Event) Result {
			if !cursor {
				x.Close()
				x = New(reg, "w")
				x.Replay(hist)
			}
			r := x.Step(now, []durable.Event{e})
			hist = append(hist, r.History...)
			return r
		}
		r := step(replaytest.T0, durable.Event{Kind: durable.ExecutionStarted, Name: "Both"})
		require.Len(t, r.Messages, 2)
		r = step(replaytest.T0+1, durable.Event{Kind: durable.TaskFailed, ID: 1, Failure: "B broke first"})
		require.Equal(t, durable.StatusRunning, r.Status, "WhenAll waits for every task")
		r = step(replaytest.T0+2, durable.Event{Kind: durable.TaskFailed, ID: 0, Failure: "A broke second"})
		require.Equal(t, durable.StatusFailed, r.Status)
		require.Equal(t, `activity "A" failed: A broke second`, r.Failure, "cursor=%v", cursor)
	}
}
