package replay_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/durable"
	. "github.com/dflab/dflab/engine/replay"
	"github.com/dflab/dflab/engine/replay/replaytest"
	"github.com/stretchr/testify/require"
)

var cities = []string{"Tokyo", "Seattle", "London", "Amsterdam", "Mumbai"}

func hello5(ctx *durable.OrchestrationContext) (any, error) {
	var out []string
	for _, c := range cities {
		var s string
		if err := ctx.CallActivity("SayHello", c).Await(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func sayHello(ctx durable.ActivityContext) (any, error) {
	var city string
	if err := ctx.GetInput(&city); err != nil {
		return nil, err
	}
	return "Hello " + city + "!", nil
}

func baseRegistry(t testing.TB) *durable.Registry {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Hello5", hello5))
	mustAdd(t, reg.AddActivity("SayHello", sayHello))
	return reg
}

func TestHello5FreshAndReplayAgree(t *testing.T) {
	reg := baseRegistry(t)
	w := replaytest.New(t, reg, true)
	w.Start("h1", "Hello5", nil)
	w.Run()
	var out []string
	require.Equal(t, durable.StatusCompleted, w.Output("h1", &out))
	require.Equal(t, []string{"Hello Tokyo!", "Hello Seattle!", "Hello London!", "Hello Amsterdam!", "Hello Mumbai!"}, out)

	// Replaying the whole history and applying nothing new asks for nothing.
	x := New(reg, "h1")
	x.Replay(w.Hist["h1"])
	require.Equal(t, durable.StatusCompleted, x.Status())
	r := x.Step(replaytest.T0, nil)
	require.Empty(t, r.Messages)
	require.Empty(t, r.History)

	// Each prefix of history, replayed, then fed the next batch, produces
	// exactly what the fresh run recorded.
	h := w.Hist["h1"]
	for i, e := range h {
		if e.Kind != durable.OrchestratorStarted || i == 0 {
			continue
		}
		end := i + 1
		for end < len(h) && h[end].Kind != durable.OrchestratorStarted {
			end++
		}
		incoming := []durable.Event{}
		for _, f := range h[i+1 : end] {
			if !f.Kind.IsAction() {
				incoming = append(incoming, f)
			}
		}
		_, res := Execute(reg, "h1", h[:i], e.At, incoming)
		require.Equal(t, h[i:end], res.History, "batch starting at history event %d", i)
	}
}

func TestCursorEqualsFullReplay(t *testing.T) {
	reg := featureRegistry(t)
	run := func(cursor bool) *replaytest.World {
		w := replaytest.New(t, reg, cursor)
		w.Start("f1", "Features", 3)
		w.Raise("f1", "approve", "yes")
		w.Run()
		return w
	}
	a, b := run(true), run(false)
	require.Equal(t, a.Actions, b.Actions)
	require.Equal(t, durable.AppendEvents(nil, a.Hist["f1"]), durable.AppendEvents(nil, b.Hist["f1"]))
	var out map[string]any
	require.Equal(t, durable.StatusCompleted, a.Output("f1", &out), durable.FailureText(a.Last["f1"].Failure))
	require.Equal(t, "yes", out["event"])
	require.EqualValues(t, 12, out["sum"])
	require.Equal(t, "child:3", out["child"])
	require.EqualValues(t, 1, out["anyWinner"])
	require.Len(t, out["guid"], 36)
	require.Equal(t, `"working"`, string(a.Last["f1"].CustomStatus))
}

// featureRegistry has an orchestrator that uses most of the model at once.
func featureRegistry(t testing.TB) *durable.Registry {
	reg := baseRegistry(t)
	mustAdd(t, reg.AddActivity("Double", func(ctx durable.ActivityContext) (any, error) {
		var n int
		err := ctx.GetInput(&n)
		return 2 * n, err
	}))
	mustAdd(t, reg.AddOrchestrator("Child", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		if err := ctx.GetInput(&n); err != nil {
			return nil, err
		}
		return fmt.Sprintf("child:%d", n), nil
	}))
	mustAdd(t, reg.AddOrchestrator("Features", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		if err := ctx.GetInput(&n); err != nil {
			return nil, err
		}
		if err := ctx.SetCustomStatus("working"); err != nil {
			return nil, err
		}
		guid := ctx.NewGUID()
		tasks := make([]*durable.Task, n)
		for i := range tasks {
			tasks[i] = ctx.CallActivity("Double", i+1)
		}
		if err := ctx.WhenAll(tasks...).Await(nil); err != nil {
			return nil, err
		}
		sum := 0
		for _, tk := range tasks {
			var v int
			if err := tk.Await(&v); err != nil {
				return nil, err
			}
			sum += v
		}
		var child string
		if err := ctx.CallSubOrchestrator("Child", n).Await(&child); err != nil {
			return nil, err
		}
		before := ctx.CurrentTime()
		if err := ctx.CreateTimer(5 * time.Second).Await(nil); err != nil {
			return nil, err
		}
		if !ctx.CurrentTime().After(before.Add(5*time.Second - time.Nanosecond)) {
			return nil, errors.New("timer fired early")
		}
		var ev string
		if err := ctx.WaitForExternalEvent("approve").Await(&ev); err != nil {
			return nil, err
		}
		winner := -1
		slow, fast := ctx.CreateTimer(time.Hour), ctx.CreateTimer(time.Second)
		if err := ctx.WhenAny(slow, fast).Await(&winner); err != nil {
			return nil, err
		}
		return map[string]any{"sum": sum, "child": child, "event": ev, "anyWinner": winner, "guid": guid}, nil
	}))
	return reg
}

func TestNondeterminismIsDetected(t *testing.T) {
	reg := baseRegistry(t)
	w := replaytest.New(t, reg, true)
	w.Start("n1", "Hello5", nil)
	w.Run()
	history := w.Hist["n1"][:8] // ExecutionStarted ... second activity scheduled

	changed := durable.NewRegistry()
	mustAdd(t, changed.AddActivity("SayHello", sayHello))
	mustAdd(t, changed.AddActivity("SayGoodbye", sayHello))
	mustAdd(t, changed.AddOrchestrator("Hello5", func(ctx *durable.OrchestrationContext) (any, error) {
		if err := ctx.CallActivity("SayHello", "Tokyo").Await(nil); err != nil {
			return nil, err
		}
		return nil, ctx.CallActivity("SayGoodbye", "Seattle").Await(nil)
	}))
	_, r := Execute(changed, "n1", history, replaytest.T0, nil)
	require.Equal(t, durable.StatusFailed, r.Status)
	require.Contains(t, durable.FailureText(r.Failure), "nondeterministic orchestration")
	require.Contains(t, durable.FailureText(r.Failure), "TaskScheduled#1 SayHello")
	require.Contains(t, durable.FailureText(r.Failure), "TaskScheduled#1 SayGoodbye")
	require.Contains(t, durable.FailureText(r.Failure), "at history event")
	require.Len(t, r.Messages, 0)

	// Fewer actions than recorded is caught too.
	fewer := durable.NewRegistry()
	mustAdd(t, fewer.AddOrchestrator("Hello5", func(ctx *durable.OrchestrationContext) (any, error) { return "done", nil }))
	_, r = Execute(fewer, "n1", history, replaytest.T0, nil)
	require.Equal(t, durable.StatusFailed, r.Status)
	require.Contains(t, durable.FailureText(r.Failure), "but the orchestrator asked for ExecutionCompleted")
}

func TestPanicsAreCaptured(t *testing.T) {
	reg := baseRegistry(t)
	mustAdd(t, reg.AddOrchestrator("Boom", func(ctx *durable.OrchestrationContext) (any, error) {
		if err := ctx.CallActivity("SayHello", "x").Await(nil); err != nil {
			return nil, err
		}
		var m map[string]int
		//lint:ignore SA5000 the orchestrator panics on purpose
		m["boom"] = 1 // nil map write
		return nil, nil
	}))
	mustAdd(t, reg.AddActivity("Explode", func(durable.ActivityContext) (any, error) { panic("kaboom") }))
	mustAdd(t, reg.AddOrchestrator("CallsExplode", func(ctx *durable.OrchestrationContext) (any, error) {
		err := ctx.CallActivity("Explode", nil).Await(nil)
		var tf *durable.TaskFailedError
		if !errors.As(err, &tf) {
			return nil, fmt.Errorf("want a TaskFailedError, got %v", err)
		}
		return tf.Message, nil
	}))
	w := replaytest.New(t, reg, true)
	w.Start("b1", "Boom", nil)
	w.Start("b2", "CallsExplode", nil)
	w.Run()
	require.Equal(t, durable.StatusFailed, w.Last["b1"].Status)
	require.Equal(t, "panic: assignment to entry in nil map", durable.FailureText(w.Last["b1"].Failure))
	var msg string
	require.Equal(t, durable.StatusCompleted, w.Output("b2", &msg))
	require.Equal(t, "panic: kaboom", msg)
}

func TestRetryTimerSchedule(t *testing.T) {
	reg := baseRegistry(t)
	fails := 0
	mustAdd(t, reg.AddActivity("Flaky", func(durable.ActivityContext) (any, error) {
		if fails < 4 {
			fails++
			return nil, errors.New("transient")
		}
		return "ok", nil
	}))
	policy := durable.RetryPolicy{MaxAttempts: 6, FirstInterval: time.Second, BackoffCoefficient: 2, MaxInterval: 5 * time.Second}
	mustAdd(t, reg.AddOrchestrator("Retry", func(ctx *durable.OrchestrationContext) (any, error) {
		var s string
		err := ctx.CallActivity("Flaky", nil, durable.WithRetry(policy)).Await(&s)
		return s, err
	}))
	w := replaytest.New(t, reg, true)
	w.Start("r1", "Retry", nil)
	w.Run()
	var s string
	require.Equal(t, durable.StatusCompleted, w.Output("r1", &s))
	require.Equal(t, "ok", s)
	var delays []time.Duration
	var stepAt int64
	for _, e := range w.Hist["r1"] {
		switch e.Kind {
		case durable.OrchestratorStarted:
			stepAt = e.At
		case durable.TimerCreated:
			delays = append(delays, time.Duration(e.At-stepAt))
		}
	}
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}, delays)

	// Attempts run out: the last failure is the task's error.
	fails = -10
	w = replaytest.New(t, reg, false)
	w.Start("r2", "Retry", nil)
	w.Run()
	require.Equal(t, durable.StatusFailed, w.Last["r2"].Status)
	require.Contains(t, durable.FailureText(w.Last["r2"].Failure), `activity "Flaky" failed: transient`)

	require.Error(t, durable.RetryPolicy{MaxAttempts: 0, FirstInterval: time.Second}.Validate())
	require.Error(t, durable.RetryPolicy{MaxAttempts: 2}.Validate())
}

func TestContinueAsNewCarriesEvents(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("Counter", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		if err := ctx.GetInput(&n); err != nil {
			return nil, err
		}
		if n == 3 {
			return n, nil
		}
		var inc int
		if err := ctx.WaitForExternalEvent("inc").Await(&inc); err != nil {
			return nil, err
		}
		return nil, ctx.ContinueAsNew(n + inc)
	}))
	w := replaytest.New(t, reg, true)
	w.Start("c1", "Counter", 0)
	w.Run()
	// Three events in one batch: the first is consumed, the others carry over.
	w.Deliver("c1", []durable.Event{
		{Kind: durable.EventRaised, Name: "inc", Payload: []byte("1")},
		{Kind: durable.EventRaised, Name: "inc", Payload: []byte("1")},
		{Kind: durable.EventRaised, Name: "inc", Payload: []byte("1")},
	})
	w.Run()
	var n int
	require.Equal(t, durable.StatusCompleted, w.Output("c1", &n))
	require.Equal(t, 3, n)
	require.Equal(t, durable.ExecutionStarted, w.Hist["c1"][1].Kind)
	require.Equal(t, "3", string(w.Hist["c1"][1].Payload)) // the last of three executions
}

func TestUnknownOrchestratorFails(t *testing.T) {
	reg := baseRegistry(t)
	_, r := Execute(reg, "u1", nil, replaytest.T0, []durable.Event{{Kind: durable.ExecutionStarted, Name: "Nope"}})
	require.Equal(t, durable.StatusFailed, r.Status)
	require.Equal(t, `unknown orchestrator "Nope" (registered: Hello5)`, durable.FailureText(r.Failure))
}

func TestDuplicateCompletionsAreIgnored(t *testing.T) {
	reg := baseRegistry(t)
	x, r := Execute(reg, "d1", nil, replaytest.T0, []durable.Event{{Kind: durable.ExecutionStarted, Name: "Hello5"}})
	require.Len(t, r.Messages, 1)
	done := durable.Event{Kind: durable.TaskCompleted, ID: 0, Payload: []byte(`"Hello Tokyo!"`)}
	r = x.Step(replaytest.T0+1, []durable.Event{done})
	require.Len(t, r.Messages, 1)
	r = x.Step(replaytest.T0+2, []durable.Event{done}) // at-least-once activity delivered twice
	require.Empty(t, r.Messages)
	require.Len(t, r.History, 1) // only the OrchestratorStarted marker
	x.Close()
}

func TestTerminateNotifiesParentAndStops(t *testing.T) {
	reg := baseRegistry(t)
	x, _ := Execute(reg, "p:0", nil, replaytest.T0, []durable.Event{{Kind: durable.ExecutionStarted, Name: "Hello5", Instance: "p", ID: 0}})
	r := x.Step(replaytest.T0+1, []durable.Event{{Kind: durable.ExecutionTerminated, Payload: []byte(`"stop"`)}})
	require.Equal(t, durable.StatusTerminated, r.Status)
	require.Len(t, r.Messages, 1)
	require.Equal(t, "p", r.Messages[0].To)
	require.Equal(t, durable.SubOrchestrationFailed, r.Messages[0].Event.Kind)
	require.True(t, strings.HasPrefix(r.Messages[0].Event.Failure, "terminated"))
}

// IsReplaying lets code do a side effect once per real execution, whether
// the engine replays the history each step or keeps a cursor.
func TestIsReplayingGuardsSideEffects(t *testing.T) {
	for _, cursor := range []bool{true, false} {
		logged := 0
		reg := baseRegistry(t)
		mustAdd(t, reg.AddOrchestrator("Logs", func(ctx *durable.OrchestrationContext) (any, error) {
			for _, c := range cities {
				if !ctx.IsReplaying() {
					logged++
				}
				if err := ctx.CallActivity("SayHello", c).Await(nil); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}))
		w := replaytest.New(t, reg, cursor)
		w.Start("l1", "Logs", nil)
		w.Run()
		require.Equal(t, durable.StatusCompleted, w.Last["l1"].Status)
		require.Equal(t, len(cities), logged, "cursor=%v", cursor)
	}
}

func TestNewGUIDIsDeterministicAndUnique(t *testing.T) {
	reg := durable.NewRegistry()
	mustAdd(t, reg.AddOrchestrator("G", func(ctx *durable.OrchestrationContext) (any, error) {
		return []string{ctx.NewGUID(), ctx.NewGUID()}, nil
	}))
	start := []durable.Event{{Kind: durable.ExecutionStarted, Name: "G"}}
	_, a := Execute(reg, "g1", nil, replaytest.T0, start)
	_, b := Execute(reg, "g1", nil, replaytest.T0, start)
	_, c := Execute(reg, "g2", nil, replaytest.T0, start)
	require.Equal(t, a.Output, b.Output)
	require.NotEqual(t, a.Output, c.Output)
	var ids []string
	require.NoError(t, durable.Unmarshal(a.Output, &ids))
	require.NotEqual(t, ids[0], ids[1])
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, ids[0])
}
