package replay_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay"
	"github.com/dflab/dflab/engine/replay/replaytest"
)

// fatal is an error type of the test's own, so failure details name it.
type fatal struct{ msg string }

func (f *fatal) Error() string { return f.msg }

// Failure details (issue 22, item 10): a failed activity's details give
// the error's type, message and inner failure; NonRetriable stops a retry
// policy at once; Handle reads the details; a panic's details carry the
// functions on its stack; the orchestration's own failure wraps the task's.
func TestFailureDetails(t *testing.T) {
	for _, cursor := range []bool{true, false} {
		reg := durable.NewRegistry()
		runs := map[string]int{}
		require.NoError(t, reg.AddActivity("Fail", func(ctx durable.ActivityContext) (any, error) {
			var kind string
			require.NoError(t, ctx.GetInput(&kind))
			runs[kind]++
			switch kind {
			case "nonretriable":
				return nil, fmt.Errorf("wrapped: %w", durable.NonRetriable(errors.New("root cause")))
			case "fatal":
				return nil, &fatal{msg: fmt.Sprintf("fatal %d", runs[kind])}
			}
			var m map[string]int
			//lint:ignore SA5000 the activity panics on purpose
			m["x"] = 1
			return nil, nil
		}))
		policy := durable.RetryPolicy{MaxAttempts: 3, FirstInterval: time.Second, Handle: func(err error) bool {
			var tf *durable.TaskFailedError
			return errors.As(err, &tf) && tf.Details != nil && tf.Details.Type != "*replay_test.fatal"
		}}
		require.NoError(t, reg.AddOrchestrator("Details", func(ctx *durable.OrchestrationContext) (any, error) {
			var kind string
			if err := ctx.GetInput(&kind); err != nil {
				return nil, err
			}
			err := ctx.CallActivity("Fail", kind, durable.WithRetry(policy)).Await(nil)
			var tf *durable.TaskFailedError
			if !errors.As(err, &tf) || tf.Details == nil {
				return nil, fmt.Errorf("want a TaskFailedError with details, got %v", err)
			}
			if kind == "panic" {
				return nil, err // the orchestration fails with it
			}
			return tf.Details, nil
		}))
		w := replaytest.New(t, reg, cursor)
		for _, kind := range []string{"nonretriable", "fatal", "panic"} {
			w.Start(kind, "Details", kind)
		}
		w.Run()

		var d, f durable.FailureDetails
		require.Equal(t, durable.StatusCompleted, w.Output("nonretriable", &d), w.Last["nonretriable"].Failure)
		require.Equal(t, durable.FailureDetails{Type: "*fmt.wrapError", Message: "wrapped: root cause", NonRetriable: true,
			Inner: &durable.FailureDetails{Type: "*errors.errorString", Message: "root cause", NonRetriable: true}}, d)
		require.Equal(t, 1, runs["nonretriable"], "a non-retriable failure is not retried")

		require.Equal(t, durable.StatusCompleted, w.Output("fatal", &f))
		require.Equal(t, durable.FailureDetails{Type: "*replay_test.fatal", Message: "fatal 1"}, f)
		require.Equal(t, 1, runs["fatal"], "Handle refused the failure by its type")

		require.Equal(t, 3, runs["panic"], "a panic is retried")
		r := w.Last["panic"]
		require.Equal(t, durable.StatusFailed, r.Status)
		got := durable.DecodeFailure(r.Failure)
		require.Equal(t, "*durable.TaskFailedError", got.Type)
		require.Equal(t, `activity "Fail" failed: panic: assignment to entry in nil map`, got.Message)
		require.NotNil(t, got.Inner)
		require.Equal(t, "panic", got.Inner.Type)
		require.Contains(t, got.Inner.Stack, "replay_test.TestFailureDetails.func1", "the stack names the panicking function")
		require.NotContains(t, got.Inner.Stack, "0x", "no addresses: the same on every replay")
	}
}

// Versions (issue 22, item 12): the version a start carries is the
// orchestration's; its activities and sub-orchestrations inherit it unless
// the call sets another.
func TestVersions(t *testing.T) {
	for _, cursor := range []bool{true, false} {
		reg := durable.NewRegistry()
		require.NoError(t, reg.AddActivity("Which", func(ctx durable.ActivityContext) (any, error) { return ctx.Version(), nil }))
		require.NoError(t, reg.AddOrchestrator("Child", func(ctx *durable.OrchestrationContext) (any, error) {
			return ctx.Version(), nil
		}))
		require.NoError(t, reg.AddOrchestrator("Versioned", func(ctx *durable.OrchestrationContext) (any, error) {
			out := make([]string, 5)
			out[0] = ctx.Version()
			tasks := []*durable.Task{ctx.CallActivity("Which", nil), ctx.CallActivity("Which", nil, durable.WithVersion("a2")),
				ctx.CallSubOrchestrator("Child", nil), ctx.CallSubOrchestrator("Child", nil, durable.WithVersion("c3"))}
			for i, task := range tasks {
				if err := task.Await(&out[i+1]); err != nil {
					return nil, err
				}
			}
			return out, nil
		}))
		w := replaytest.New(t, reg, cursor)
		w.Deliver("v", []durable.Event{durable.StartEvent(durable.ClientRequest{Kind: durable.RequestStart, Name: "Versioned",
			Payload: []byte(`null`), Version: "2.1"})})
		w.Run()
		var out []string
		require.Equal(t, durable.StatusCompleted, w.Output("v", &out), w.Last["v"].Failure)
		require.Equal(t, []string{"2.1", "2.1", "a2", "2.1", "c3"}, out)
	}
}

// Terminate recurses into running sub-orchestrations, grandchildren
// included, unless TerminateOnlyThis; finished children are left alone.
func TestTerminateRecursesIntoSubOrchestrations(t *testing.T) {
	for _, onlyThis := range []bool{false, true} {
		reg := durable.NewRegistry()
		require.NoError(t, reg.AddOrchestrator("Waiter", func(ctx *durable.OrchestrationContext) (any, error) {
			var depth int
			if err := ctx.GetInput(&depth); err != nil {
				return nil, err
			}
			if depth > 0 {
				if err := ctx.CallSubOrchestrator("Waiter", 0, durable.WithInstanceID(ctx.InstanceID()+"-quick")).Await(nil); err != nil {
					return nil, err
				}
				return nil, ctx.CallSubOrchestrator("Waiter", depth-1, durable.WithInstanceID(ctx.InstanceID()+"-c")).Await(nil)
			}
			if ctx.InstanceID() == "p-quick" || ctx.InstanceID() == "p-c-quick" {
				return "quick", nil
			}
			return nil, ctx.WaitForExternalEvent("never").Await(nil)
		}))
		w := replaytest.New(t, reg, true)
		w.Start("p", "Waiter", 2)
		w.Run()
		require.Equal(t, durable.StatusRunning, w.Last["p-c-c"].Status)
		w.Deliver("p", []durable.Event{durable.TerminateEvent(durable.ClientRequest{Kind: durable.RequestTerminate,
			Payload: []byte(`"stop"`), OnlyThis: onlyThis})})
		w.Run()
		require.Equal(t, durable.StatusTerminated, w.Last["p"].Status)
		require.Equal(t, durable.StatusCompleted, w.Last["p-quick"].Status, "a finished child is left alone")
		want := durable.StatusTerminated
		if onlyThis {
			want = durable.StatusRunning
		}
		require.Equal(t, want, w.Last["p-c"].Status, "onlyThis=%v", onlyThis)
		require.Equal(t, want, w.Last["p-c-c"].Status, "onlyThis=%v: grandchild", onlyThis)
	}
}

// A start scheduled for later (StartAt) leaves the instance Pending until
// its time; then it runs, with that time as its first step's.
func TestScheduledStart(t *testing.T) {
	for _, cursor := range []bool{true, false} {
		reg := durable.NewRegistry()
		require.NoError(t, reg.AddOrchestrator("Clock", func(ctx *durable.OrchestrationContext) (any, error) {
			return ctx.CurrentTime().UnixNano(), nil
		}))
		w := replaytest.New(t, reg, cursor)
		at := replaytest.T0 + int64(time.Hour)
		w.Deliver("s", []durable.Event{durable.StartEvent(durable.ClientRequest{Kind: durable.RequestStart, Name: "Clock",
			Payload: []byte(`null`), StartAt: at})})
		require.Equal(t, durable.StatusPending, w.Last["s"].Status)
		w.Run()
		var ran int64
		require.Equal(t, durable.StatusCompleted, w.Output("s", &ran), w.Last["s"].Failure)
		require.GreaterOrEqual(t, ran, at)
		require.Less(t, ran, at+int64(time.Second))
	}
}

// A late copy of an entity's response to an earlier execution of an
// instance (a sub-orchestration retried under a fixed id) does not
// complete the new execution's request of the same task id: request ids
// name the execution. Found by the fault campaign (lifecycle workload on
// the original engine: a redelivered response made the last attempt fail).
func TestEntityResponseToAnEarlierExecutionIsIgnored(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Count", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		err := ctx.CallEntity(durable.EntityID{Name: "Counter", Key: "k"}, "inc", nil).Await(&n)
		return n, err
	}))
	x := replay.New(reg, "child")
	start := func(parentTask int32) durable.Event {
		return durable.Event{Kind: durable.ExecutionStarted, Name: "Count", Instance: "parent", ID: parentTask, Payload: []byte(`null`)}
	}
	request := func(r replay.Result) string {
		for _, m := range r.Messages {
			if m.Event.Kind == durable.EntityCallRequested {
				return m.Event.Request
			}
		}
		t.Fatalf("no entity call in %v", r.Messages)
		return ""
	}
	first := request(x.Step(replaytest.T0, []durable.Event{start(0)}))
	r := x.Step(replaytest.T0+1000, []durable.Event{{Kind: durable.EntityResponded, Request: first, Payload: []byte(`1`)}})
	require.Equal(t, durable.StatusCompleted, r.Status)

	r = x.Step(replaytest.T0+2000, []durable.Event{start(2)}) // the parent's second attempt
	require.True(t, r.NewExecution)
	second := request(r)
	require.NotEqual(t, first, second)
	r = x.Step(replaytest.T0+3000, []durable.Event{{Kind: durable.EntityResponded, Request: first, Payload: []byte(`1`)}})
	require.Equal(t, durable.StatusRunning, r.Status, "the late response to the first execution is not this one's")
	r = x.Step(replaytest.T0+4000, []durable.Event{{Kind: durable.EntityResponded, Request: second, Payload: []byte(`2`)}})
	require.Equal(t, durable.StatusCompleted, r.Status)
	require.Equal(t, `2`, string(r.Output))
}

// A suspend older than the last resume applied (redelivered, or overtaken
// by the resume) does not suspend the instance again. Found by the fault
// campaign (lifecycle workload on the original engine after a lease loss).
func TestStaleSuspendIsIgnored(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Wait", func(ctx *durable.OrchestrationContext) (any, error) {
		return nil, ctx.WaitForExternalEvent("go").Await(nil)
	}))
	x := replay.New(reg, "w")
	t0 := replaytest.T0
	x.Step(t0, []durable.Event{{Kind: durable.ExecutionStarted, Name: "Wait", Payload: []byte(`null`)}})
	suspend := durable.LifecycleEvent(durable.ClientRequest{Kind: durable.RequestSuspend}, t0+100)
	resume := durable.LifecycleEvent(durable.ClientRequest{Kind: durable.RequestResume}, t0+200)
	require.Equal(t, durable.StatusSuspended, x.Step(t0+1000, []durable.Event{suspend}).Status)
	require.Equal(t, durable.StatusRunning, x.Step(t0+2000, []durable.Event{resume}).Status)
	require.Equal(t, durable.StatusRunning, x.Step(t0+3000, []durable.Event{suspend}).Status, "the copy is stale")
	require.Equal(t, durable.StatusCompleted, x.Step(t0+4000, []durable.Event{{Kind: durable.EventRaised, Name: "go"}}).Status)
}
