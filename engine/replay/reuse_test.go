package replay_test

import (
	"errors"
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
			require.Equal(t, durable.StatusCompleted, w.Output("p", &n), durable.FailureText(w.Last["p"].Failure))
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
	require.Contains(t, durable.FailureText(w.Last["p"].Failure), `sub-orchestration "Flaky" failed`)
	require.Contains(t, durable.FailureText(w.Last["p"].Failure), "attempt 2 fails")
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
	mustAdd(t, reg.AddActivity("A", sayHello))
	mustAdd(t, reg.AddActivity("B", sayHello))
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
		require.Equal(t, `activity "A" failed: A broke second`, durable.FailureText(r.Failure), "cursor=%v", cursor)
	}
}

// Issue 22, item 8: a call of an activity or orchestrator that is not
// registered fails at once, naming the registered ones, and a retry
// policy does not retry it.
func TestUnregisteredCallsFailAtOnce(t *testing.T) {
	reg := baseRegistry(t)
	mustAdd(t, reg.AddOrchestrator("Typo", func(ctx *durable.OrchestrationContext) (any, error) {
		policy := durable.WithRetry(durable.RetryPolicy{MaxAttempts: 3, FirstInterval: time.Second})
		errA := ctx.CallActivity("SayHelo", nil, policy).Await(nil)
		errO := ctx.CallSubOrchestrator("Hello6", nil, policy).Await(nil)
		return []string{errA.Error(), errO.Error()}, nil
	}))
	w := replaytest.New(t, reg, false)
	w.Start("t", "Typo", nil)
	w.Run()
	var out []string
	require.Equal(t, durable.StatusCompleted, w.Output("t", &out))
	require.Equal(t, []string{
		`activity "SayHelo" failed: unknown activity "SayHelo" (registered: SayHello)`,
		`sub-orchestration "Hello6" failed: unknown orchestrator "Hello6" (registered: Hello5, Typo)`,
	}, out)
	require.Equal(t, 1, w.Steps, "no timer, no retry: one step")
	require.Empty(t, w.Actions)
}

// Issue 22, item 7: a wait that timed out, or that lost a WhenAny and was
// cancelled, no longer takes the next event: a later wait gets it.
func TestAbandonedWaitsDoNotSwallowEvents(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Waits", func(ctx *durable.OrchestrationContext) (any, error) {
		var out []string
		timedOut := ctx.WaitForExternalEvent("e", durable.WaitTimeout(time.Second)).Await(nil)
		out = append(out, fmt.Sprint(errors.Is(timedOut, durable.ErrWaitTimeout)))
		lost := ctx.WaitForExternalEvent("e")
		var winner int
		if err := ctx.WhenAny(lost, ctx.CreateTimer(time.Second)).Await(&winner); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprint(winner), fmt.Sprint(ctx.CancelWait(lost)), fmt.Sprint(ctx.CancelWait(lost)),
			fmt.Sprint(errors.Is(lost.Await(nil), durable.ErrWaitCanceled)))
		var v string
		if err := ctx.WaitForExternalEvent("e").Await(&v); err != nil {
			return nil, err
		}
		return append(out, v), nil
	}))
	for _, cursor := range []bool{true, false} {
		w := replaytest.New(t, reg, cursor)
		w.Start("w", "Waits", nil)
		w.Run()
		require.Equal(t, durable.StatusRunning, w.Last["w"].Status)
		w.Raise("w", "e", "late")
		w.Run()
		var out []string
		require.Equal(t, durable.StatusCompleted, w.Output("w", &out), durable.FailureText(w.Last["w"].Failure))
		require.Equal(t, []string{"true", "1", "true", "false", "true", "late"}, out, "cursor=%v", cursor)
	}
}

func TestWaitTimeoutMustBePositive(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Bad", func(ctx *durable.OrchestrationContext) (any, error) {
		return nil, ctx.WaitForExternalEvent("e", durable.WaitTimeout(-time.Second)).Await(nil)
	}))
	w := replaytest.New(t, reg, true)
	w.Start("b", "Bad", nil)
	w.Run()
	require.Equal(t, durable.StatusFailed, w.Last["b"].Status)
	require.Contains(t, durable.FailureText(w.Last["b"].Failure), `wait for event "e": timeout -1s: must be positive`)
}

// Issue 22, item 11: ContinueAsNew with DropEvents drops the events the
// execution did not consume, where the default carries them over.
func TestContinueAsNewCanDropEvents(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Counter", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		if err := ctx.GetInput(&n); err != nil {
			return nil, err
		}
		var inc int
		if err := ctx.WaitForExternalEvent("inc").Await(&inc); err != nil {
			return nil, err
		}
		if n+inc == 2 {
			return n + inc, nil
		}
		return nil, ctx.ContinueAsNew(n+inc, durable.DropEvents())
	}))
	for _, cursor := range []bool{true, false} {
		w := replaytest.New(t, reg, cursor)
		w.Start("c", "Counter", 0)
		w.Run()
		inc := durable.Event{Kind: durable.EventRaised, Name: "inc", Payload: []byte("1")}
		w.Deliver("c", []durable.Event{inc, inc, inc})
		w.Run()
		require.Equal(t, durable.StatusRunning, w.Last["c"].Status, "the second and third events were dropped")
		require.Equal(t, "1", string(w.Hist["c"][1].Payload))
		w.Deliver("c", []durable.Event{inc})
		var n int
		require.Equal(t, durable.StatusCompleted, w.Output("c", &n))
		require.Equal(t, 2, n)
	}
}

// Issue 22, item 10: a retry policy's Handle picks the failures it
// retries, and RetryTimeout bounds how long it retries.
func TestRetryHandleAndTimeout(t *testing.T) {
	reg := durable.NewRegistry()
	runs := map[string]int{}
	mustAdd(t, reg.AddActivity("Fail", func(ctx durable.ActivityContext) (any, error) {
		runs[ctx.InstanceID()]++
		if ctx.InstanceID() == "handled" && runs["handled"] == 2 {
			return nil, errors.New("fatal")
		}
		return nil, errors.New("transient")
	}))
	mustAdd(t, reg.AddOrchestrator("Retry", func(ctx *durable.OrchestrationContext) (any, error) {
		p := durable.RetryPolicy{MaxAttempts: 10, FirstInterval: time.Second}
		if ctx.InstanceID() == "handled" {
			p.Handle = func(err error) bool {
				var f *durable.TaskFailedError
				return errors.As(err, &f) && f.Message == "transient"
			}
		} else {
			p.RetryTimeout = 2500 * time.Millisecond
		}
		return nil, ctx.CallActivity("Fail", nil, durable.WithRetry(p)).Await(nil)
	}))
	w := replaytest.New(t, reg, false)
	w.Start("handled", "Retry", nil)
	w.Start("timed", "Retry", nil)
	w.Run()
	require.Equal(t, durable.StatusFailed, w.Last["handled"].Status)
	require.Contains(t, durable.FailureText(w.Last["handled"].Failure), "fatal")
	require.Equal(t, 2, runs["handled"], "the fatal failure is not retried")
	require.Equal(t, durable.StatusFailed, w.Last["timed"].Status)
	require.Equal(t, 3, runs["timed"], "attempts at 0s, 1s, 2s; the next would start past 2.5s")
	require.ErrorContains(t, durable.RetryPolicy{MaxAttempts: 1, FirstInterval: 1, RetryTimeout: -1}.Validate(), "RetryTimeout")
}

// Issue 22, item 9: a suspended instance holds what it receives (an event,
// a timer) until it is resumed; replay of the history agrees.
func TestSuspendHoldsEventsUntilResume(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Gated", func(ctx *durable.OrchestrationContext) (any, error) {
		var v string
		if err := ctx.WaitForExternalEvent("go").Await(&v); err != nil {
			return nil, err
		}
		return v, nil
	}))
	for _, cursor := range []bool{true, false} {
		w := replaytest.New(t, reg, cursor)
		w.Start("g", "Gated", nil)
		w.Run()
		w.Deliver("g", []durable.Event{{Kind: durable.ExecutionSuspended}})
		require.Equal(t, durable.StatusSuspended, w.Last["g"].Status)
		w.Raise("g", "go", "held")
		w.Run()
		require.Equal(t, durable.StatusSuspended, w.Last["g"].Status, "the event waits")
		w.Deliver("g", []durable.Event{{Kind: durable.ExecutionResumed}})
		var v string
		require.Equal(t, durable.StatusCompleted, w.Output("g", &v), "cursor=%v", cursor)
		require.Equal(t, "held", v)

		x := New(reg, "g")
		x.Replay(w.Hist["g"])
		require.Equal(t, durable.StatusCompleted, x.Status())
	}
}

// Completions left over from an earlier execution of an instance (a
// timer that lost a WhenAny, under the id the new execution gives a
// timer of its own or an activity) do not complete the new execution's
// tasks: a timer must carry its own fire time, a completion its task's
// kind.
func TestLeftoverCompletionsAreIgnored(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddActivity("A", sayHello))
	mustAdd(t, reg.AddOrchestrator("TimerThenActivity", func(ctx *durable.OrchestrationContext) (any, error) {
		if err := ctx.CreateTimer(time.Hour).Await(nil); err != nil {
			return nil, err
		}
		return "done", ctx.CallActivity("A", "x").Await(nil)
	}))
	x := New(reg, "i")
	r := x.Step(replaytest.T0, []durable.Event{{Kind: durable.ExecutionStarted, Name: "TimerThenActivity"}})
	due := r.Messages[0].Event.At
	r = x.Step(replaytest.T0+1, []durable.Event{{Kind: durable.TimerFired, ID: 0, At: due - int64(time.Minute)}})
	require.Equal(t, durable.StatusRunning, r.Status)
	require.Empty(t, r.Messages, "a timer with another fire time is not this one")
	r = x.Step(replaytest.T0+2, []durable.Event{{Kind: durable.TaskCompleted, ID: 0, Payload: []byte(`"x"`)}})
	require.Empty(t, r.Messages, "an activity's completion does not fire a timer")
	r = x.Step(due, []durable.Event{{Kind: durable.TimerFired, ID: 0, At: due}})
	require.Len(t, r.Messages, 1, "the timer's own firing schedules the activity")
	require.Equal(t, durable.TaskScheduled, r.Messages[0].Event.Kind)
}
