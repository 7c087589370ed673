package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// Parity returns the programming-model parity table (issue 22): one
// scenario per behaviour on which the engines must agree with each other
// and with Durable Functions, each with its expected outcome. Every engine
// runs it on the sim driver and for real, none skipped, with the
// engines' replayCheck knob on (as in the fault campaign).
func Parity() []Scenario {
	return []Scenario{SubOrchestrationRetryFixedID(), ReuseFinishedChildID(), WhenAllFailureOrder(),
		StartRunningID(), PurgeAndWaitRefusals(), ReplayObservable(), AbandonedWaits(), UnregisteredActivity(),
		ContinueAsNewDropsEvents(), RetryHandleAndTimeout(), SuspendResume(), FailureDetails(), Versions(),
		RecursiveTerminate(), RecursivePurge(), ScheduledStart(), QueryInstances()}
}

// WorkflowParity is the part of the parity table the workflow service
// (Step Functions style: state machines, not orchestrator code) runs, on
// its shipped state machines (Hello3, Hello5 with SayHello).
func WorkflowParity() []Scenario {
	return []Scenario{WorkflowQueryInstances()}
}

// attempts counts activity runs per instance id; activities run
// concurrently under the real driver.
type attempts struct {
	mu sync.Mutex
	n  map[string]int
}

func (a *attempts) next(instance string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == nil {
		a.n = map[string]int{}
	}
	a.n[instance]++
	return a.n[instance]
}

// SubOrchestrationRetryFixedID (item 1): a sub-orchestration retried under
// a fixed id runs again on each attempt, so its parent ends as the retry
// policy says: "retry-sub-ok" succeeds on the third of three attempts,
// "retry-sub-fail" fails after its second and last.
func SubOrchestrationRetryFixedID() Scenario {
	setup := func(reg *durable.Registry) error {
		var runs attempts
		return all(
			reg.AddActivity("FailTwice", func(ctx durable.ActivityContext) (any, error) {
				if n := runs.next(ctx.InstanceID()); n < 3 {
					return nil, fmt.Errorf("child attempt %d failed", n)
				} else {
					return n, nil
				}
			}),
			reg.AddOrchestrator("FlakyChild", func(ctx *durable.OrchestrationContext) (any, error) {
				var n int
				err := ctx.CallActivity("FailTwice", nil).Await(&n)
				return n, err
			}),
			reg.AddOrchestrator("RetryParent", func(ctx *durable.OrchestrationContext) (any, error) {
				var max int
				if err := ctx.GetInput(&max); err != nil {
					return nil, err
				}
				var n int
				err := ctx.CallSubOrchestrator("FlakyChild", nil, durable.WithInstanceID(ctx.InstanceID()+"-child"),
					durable.WithRetry(durable.RetryPolicy{MaxAttempts: max, FirstInterval: 100 * time.Millisecond})).Await(&n)
				return n, err
			}))
	}
	return Scenario{Name: "SubOrchestrationRetryFixedID", Setup: setup,
		Calls: []Call{start(0, "retry-sub-ok", "RetryParent", 3), start(0, "retry-sub-fail", "RetryParent", 2)},
		Expect: []Expect{completed("retry-sub-ok", `3`),
			{Instance: "retry-sub-fail", Status: durable.StatusFailed, FailureContains: "child attempt 2 failed"}}}
}

// ReuseFinishedChildID (item 1): a parent calls a child under the same id
// twice in sequence; the second call starts a new execution of the
// finished child.
func ReuseFinishedChildID() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(SetupHello(reg),
			reg.AddOrchestrator("Greeter", func(ctx *durable.OrchestrationContext) (any, error) {
				var city, s string
				if err := ctx.GetInput(&city); err != nil {
					return nil, err
				}
				err := ctx.CallActivity("SayHello", city).Await(&s)
				return s, err
			}),
			reg.AddOrchestrator("Reuser", func(ctx *durable.OrchestrationContext) (any, error) {
				out := make([]string, 2)
				for i, city := range []string{"Oslo", "Lima"} {
					if err := ctx.CallSubOrchestrator("Greeter", city, durable.WithInstanceID("greeter!1")).Await(&out[i]); err != nil {
						return nil, err
					}
				}
				return out, nil
			}))
	}
	return Scenario{Name: "ReuseFinishedChildID", Setup: setup,
		Calls:  []Call{start(0, "reuser!0", "Reuser", nil)},
		Expect: []Expect{completed("reuser!0", `["Hello Oslo!","Hello Lima!"]`)}}
}

// WhenAllFailureOrder (item 2): WhenAll's error is the first failing
// task's in argument order, though the second task fails first in time.
func WhenAllFailureOrder() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(
			reg.AddActivity("FailNow", func(durable.ActivityContext) (any, error) {
				return nil, errors.New("fast failure")
			}),
			reg.AddOrchestrator("FailLater", func(ctx *durable.OrchestrationContext) (any, error) {
				if err := ctx.CreateTimer(200 * time.Millisecond).Await(nil); err != nil {
					return nil, err
				}
				return nil, errors.New("slow failure")
			}),
			reg.AddOrchestrator("BothFail", func(ctx *durable.OrchestrationContext) (any, error) {
				return nil, ctx.WhenAll(ctx.CallSubOrchestrator("FailLater", nil), ctx.CallActivity("FailNow", nil)).Await(nil)
			}))
	}
	return Scenario{Name: "WhenAllFailureOrder", Setup: setup,
		Calls:  []Call{start(0, "both-fail", "BothFail", nil)},
		Expect: []Expect{{Instance: "both-fail", Status: durable.StatusFailed, FailureContains: `sub-orchestration "FailLater" failed: slow failure`}}}
}

// setupGated registers "Gated": it waits for the event "go", then returns
// its input.
func setupGated(reg *durable.Registry) error {
	return reg.AddOrchestrator("Gated", func(ctx *durable.OrchestrationContext) (any, error) {
		var in string
		if err := ctx.GetInput(&in); err != nil {
			return nil, err
		}
		return in, ctx.WaitForExternalEvent("go").Await(nil)
	})
}

func raise(at port.Time, instance, name string) Call {
	return Call{At: at, Req: durable.ClientRequest{Kind: durable.RequestRaise, Instance: instance, Name: name, Payload: []byte(`null`)}}
}

func request(at port.Time, kind durable.RequestKind, instance string) Call {
	return Call{At: at, Req: durable.ClientRequest{Kind: kind, Instance: instance}}
}

func reuse(c Call, p durable.ReusePolicy) Call {
	c.Req.Reuse = p
	return c
}

// StartRunningID (item 3): a start under the id of a running instance is
// refused by default (ErrInstanceExists), leaves the instance alone with
// ReuseIgnore, and terminates it and starts the new input with
// ReuseTerminate.
func StartRunningID() Scenario {
	return Scenario{Name: "StartRunningID", Setup: setupGated,
		Calls: []Call{
			start(0, "reuse-error", "Gated", "first"), start(100*ms, "reuse-error", "Gated", "second"),
			start(0, "reuse-ignore", "Gated", "first"), reuse(start(100*ms, "reuse-ignore", "Gated", "second"), durable.ReuseIgnore),
			start(0, "reuse-terminate", "Gated", "first"), reuse(start(100*ms, "reuse-terminate", "Gated", "second"), durable.ReuseTerminate),
			raise(300*ms, "reuse-error", "go"), raise(300*ms, "reuse-ignore", "go"), raise(300*ms, "reuse-terminate", "go"),
		},
		Answers: []Answer{{Call: 2, Err: "instance exists and is not finished"}, {Call: 4}, {Call: 6}},
		Expect: []Expect{completed("reuse-error", `"first"`), completed("reuse-ignore", `"first"`),
			completed("reuse-terminate", `"second"`)}}
}

// PurgeAndWaitRefusals (items 4 and 5): a purge of a running instance is
// refused (ErrNotFinished), a purge or a wait of an id never started
// answers ErrUnknownInstance at once, and a purged instance is unknown.
func PurgeAndWaitRefusals() Scenario {
	return Scenario{Name: "PurgeAndWaitRefusals", Setup: setupGated,
		Calls: []Call{
			start(0, "purge-running", "Gated", "x"),
			request(100*ms, durable.RequestPurge, "purge-running"),
			request(100*ms, durable.RequestPurge, "never-started"),
			request(100*ms, durable.RequestWait, "never-started"),
			start(0, "purge-done", "Gated", "y"),
			raise(200*ms, "purge-done", "go"),
			request(400*ms, durable.RequestWait, "purge-done"),
			request(500*ms, durable.RequestPurge, "purge-done"),
			request(600*ms, durable.RequestStatus, "purge-done"),
			request(600*ms, durable.RequestWait, "purge-done"),
			raise(700*ms, "purge-running", "go"),
		},
		Answers: []Answer{
			{Call: 2, Err: "instance is not finished"},
			{Call: 3, Err: "unknown instance"},
			{Call: 4, Err: "unknown instance"},
			{Call: 7, Status: durable.StatusCompleted},
			{Call: 8},
			{Call: 9, NotFound: true},
			{Call: 10, Err: "unknown instance"},
		},
		Expect: []Expect{completed("purge-running", `"x"`)}}
}

// UnregisteredActivity (item 8): a call of an activity that is not
// registered fails at once, naming the registered activities, though its
// retry policy would wait a minute before a second attempt (the deadline
// is 5 s of virtual time).
func UnregisteredActivity() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(SetupHello(reg), reg.AddOrchestrator("Typo", func(ctx *durable.OrchestrationContext) (any, error) {
			return nil, ctx.CallActivity("SayHelo", "x",
				durable.WithRetry(durable.RetryPolicy{MaxAttempts: 3, FirstInterval: time.Minute})).Await(nil)
		}))
	}
	return Scenario{Name: "UnregisteredActivity", Setup: setup, Deadline: 5 * port.Second,
		Calls: []Call{start(0, "typo", "Typo", nil)},
		Expect: []Expect{{Instance: "typo", Status: durable.StatusFailed,
			FailureContains: `unknown activity "SayHelo" (registered: SayHello)`}}}
}

// AbandonedWaits (item 7): a wait that timed out (WaitTimeout), and one
// that lost a WhenAny to a timer and was cancelled (CancelWait), do not
// take the event raised later: the wait after them gets it.
func AbandonedWaits() Scenario {
	setup := func(reg *durable.Registry) error {
		return reg.AddOrchestrator("Waits", func(ctx *durable.OrchestrationContext) (any, error) {
			var out []string
			timedOut := ctx.WaitForExternalEvent("e", durable.WaitTimeout(200*time.Millisecond)).Await(nil)
			out = append(out, fmt.Sprint(errors.Is(timedOut, durable.ErrWaitTimeout)))
			lost := ctx.WaitForExternalEvent("e")
			var winner int
			if err := ctx.WhenAny(lost, ctx.CreateTimer(200*time.Millisecond)).Await(&winner); err != nil {
				return nil, err
			}
			out = append(out, fmt.Sprint(winner), fmt.Sprint(ctx.CancelWait(lost)),
				fmt.Sprint(errors.Is(lost.Await(nil), durable.ErrWaitCanceled)))
			// The event comes only now (sent to itself: no race with the
			// timers on a slow machine).
			if err := ctx.SendEvent(ctx.InstanceID(), "e", "late"); err != nil {
				return nil, err
			}
			var v string
			if err := ctx.WaitForExternalEvent("e").Await(&v); err != nil {
				return nil, err
			}
			return append(out, v), nil
		})
	}
	return Scenario{Name: "AbandonedWaits", Setup: setup,
		Calls:  []Call{start(0, "waits", "Waits", nil)},
		Expect: []Expect{completed("waits", `["true","1","true","true","late"]`)}}
}

// ReplayObservable (item 6): with replayCheck on, an engine that caches
// executors (Netherite; the original engine with extended sessions) re-runs
// each step from history, so IsReplaying is true while recorded steps are
// re-executed, and a code change is caught at the next step: "observe"
// returns [IsReplaying before its first await, after it] as seen by its
// last step; "drift" asks for another activity each time its code runs and
// fails as nondeterministic.
func ReplayObservable() Scenario {
	setup := func(reg *durable.Registry) error {
		var runs atomic.Int32
		return all(SetupHello(reg), reg.AddActivity("SayGoodbye", sayHello),
			reg.AddOrchestrator("Observe", func(ctx *durable.OrchestrationContext) (any, error) {
				before := ctx.IsReplaying()
				if err := ctx.CallActivity("SayHello", "x").Await(nil); err != nil {
					return nil, err
				}
				return []bool{before, ctx.IsReplaying()}, nil
			}),
			reg.AddOrchestrator("Drift", func(ctx *durable.OrchestrationContext) (any, error) {
				name := "SayHello"
				if runs.Add(1) > 1 {
					name = "SayGoodbye"
				}
				return "unchanged", ctx.CallActivity(name, "x").Await(nil)
			}))
	}
	return Scenario{Name: "ReplayObservable", Setup: setup,
		Calls: []Call{start(0, "observe", "Observe", nil), start(0, "drift", "Drift", nil)},
		Expect: []Expect{completed("observe", `[true,false]`),
			{Instance: "drift", Status: durable.StatusFailed, FailureContains: "nondeterministic orchestration"}}}
}

// ContinueAsNewDropsEvents (item 11): an execution that consumed one of
// two events continues as new; by default the other event carries over,
// with DropEvents it is gone (the new execution's wait times out).
func ContinueAsNewDropsEvents() Scenario {
	setup := func(reg *durable.Registry) error {
		return reg.AddOrchestrator("Continuer", func(ctx *durable.OrchestrationContext) (any, error) {
			var in struct{ Drop, Continued bool }
			if err := ctx.GetInput(&in); err != nil {
				return nil, err
			}
			if in.Continued {
				var v string
				err := ctx.WaitForExternalEvent("e", durable.WaitTimeout(300*time.Millisecond)).Await(&v)
				if errors.Is(err, durable.ErrWaitTimeout) {
					return "dropped", nil
				}
				return v, err
			}
			if err := ctx.CreateTimer(1500 * time.Millisecond).Await(nil); err != nil {
				return nil, err
			}
			if err := ctx.WaitForExternalEvent("e").Await(nil); err != nil {
				return nil, err
			}
			in.Continued = true
			if in.Drop {
				return nil, ctx.ContinueAsNew(in, durable.DropEvents())
			}
			return nil, ctx.ContinueAsNew(in)
		})
	}
	ev := func(at port.Time, instance, data string) Call {
		payload, _ := durable.Marshal(data)
		return Call{At: at, Req: durable.ClientRequest{Kind: durable.RequestRaise, Instance: instance, Name: "e", Payload: payload}}
	}
	return Scenario{Name: "ContinueAsNewDropsEvents", Setup: setup,
		Calls: []Call{start(0, "carry", "Continuer", map[string]bool{"Drop": false}), start(0, "drop", "Continuer", map[string]bool{"Drop": true}),
			ev(100*ms, "carry", "first"), ev(100*ms, "drop", "first"), ev(200*ms, "carry", "second"), ev(200*ms, "drop", "second")},
		Expect: []Expect{completed("carry", `"second"`), completed("drop", `"dropped"`)}}
}

// RetryHandleAndTimeout (item 10): a retry policy's Handle retries only
// the failures it accepts ("retry-handled" stops at its second attempt's
// fatal failure, of 4 allowed), and RetryTimeout stops the retrying
// ("retry-timed" makes 2 of 10 attempts a second apart: the third would
// start past 1.5 s; the time is orchestration time, so the first attempt
// must fail within half a second, which every engine here does).
func RetryHandleAndTimeout() Scenario {
	setup := func(reg *durable.Registry) error {
		var runs attempts
		return all(
			reg.AddActivity("FailKind", func(ctx durable.ActivityContext) (any, error) {
				n := runs.next(ctx.InstanceID())
				if ctx.InstanceID() == "retry-handled" && n == 2 {
					return nil, fmt.Errorf("attempt %d fatal", n)
				}
				return nil, fmt.Errorf("attempt %d transient", n)
			}),
			reg.AddOrchestrator("RetryPolicies", func(ctx *durable.OrchestrationContext) (any, error) {
				p := durable.RetryPolicy{MaxAttempts: 4, FirstInterval: 100 * time.Millisecond}
				if ctx.InstanceID() == "retry-handled" {
					p.Handle = func(err error) bool { return !strings.Contains(err.Error(), "fatal") }
				} else {
					p.MaxAttempts, p.FirstInterval, p.RetryTimeout = 10, time.Second, 1500*time.Millisecond
				}
				return nil, ctx.CallActivity("FailKind", nil, durable.WithRetry(p)).Await(nil)
			}))
	}
	return Scenario{Name: "RetryHandleAndTimeout", Setup: setup,
		Calls: []Call{start(0, "retry-handled", "RetryPolicies", nil), start(0, "retry-timed", "RetryPolicies", nil)},
		Expect: []Expect{{Instance: "retry-handled", Status: durable.StatusFailed, FailureContains: "attempt 2 fatal"},
			{Instance: "retry-timed", Status: durable.StatusFailed, FailureContains: "attempt 2 transient"}}}
}

// SuspendResume (item 9): a suspended instance reports Suspended and holds
// the event raised meanwhile until it is resumed; a purge of it is refused.
func SuspendResume() Scenario {
	return Scenario{Name: "SuspendResume", Setup: setupGated,
		Calls: []Call{
			start(0, "suspended", "Gated", "resumed"),
			request(200*ms, durable.RequestSuspend, "suspended"),
			raise(400*ms, "suspended", "go"),
			request(2000*ms, durable.RequestStatus, "suspended"),
			request(2000*ms, durable.RequestPurge, "suspended"),
			request(2100*ms, durable.RequestResume, "suspended"),
		},
		Answers: []Answer{{Call: 2}, {Call: 4, Status: durable.StatusSuspended}, {Call: 5, Err: "instance is not finished"}, {Call: 6}},
		Expect:  []Expect{completed("suspended", `"resumed"`)}}
}

// failKind is an error type of the table's own, so failure details name it.
type failKind struct{ msg string }

func (f *failKind) Error() string { return f.msg }

// FailureDetails (item 10): a failed activity's details reach the
// orchestration (type, message, inner failure, non-retriable) and, through
// each engine's storage, the client's status: "details" returns what it
// saw of a non-retriable failure, whose retry policy (3 attempts) made one
// attempt; "details-fail" fails with the activity's failure, and its status
// names both types; a Handle that refuses by type stops at the first
// attempt too.
func FailureDetails() Scenario {
	setup := func(reg *durable.Registry) error {
		var runs attempts
		return all(
			reg.AddActivity("FailTyped", func(ctx durable.ActivityContext) (any, error) {
				n := runs.next(ctx.InstanceID())
				if ctx.InstanceID() == "details" {
					return nil, fmt.Errorf("attempt %d: %w", n, durable.NonRetriable(errors.New("bad input")))
				}
				return nil, &failKind{msg: fmt.Sprintf("typed attempt %d", n)}
			}),
			reg.AddOrchestrator("Details", func(ctx *durable.OrchestrationContext) (any, error) {
				p := durable.RetryPolicy{MaxAttempts: 3, FirstInterval: 100 * time.Millisecond, Handle: func(err error) bool {
					var tf *durable.TaskFailedError
					return errors.As(err, &tf) && tf.Details != nil && tf.Details.Type != "*scenarios.failKind"
				}}
				err := ctx.CallActivity("FailTyped", nil, durable.WithRetry(p)).Await(nil)
				var tf *durable.TaskFailedError
				if !errors.As(err, &tf) || tf.Details == nil {
					return nil, fmt.Errorf("want a failed task with details, got %v", err)
				}
				if ctx.InstanceID() != "details" {
					return nil, err
				}
				d := tf.Details
				return []any{d.Type, d.Message, d.NonRetriable, d.Inner.Type, d.Inner.Message}, nil
			}))
	}
	return Scenario{Name: "FailureDetails", Setup: setup,
		Calls: []Call{start(0, "details", "Details", nil), start(0, "details-fail", "Details", nil)},
		Expect: []Expect{completed("details", `["*fmt.wrapError","attempt 1: bad input",true,"*errors.errorString","bad input"]`),
			{Instance: "details-fail", Status: durable.StatusFailed, FailureContains: `activity "FailTyped" failed: typed attempt 1`,
				FailureType: "*durable.TaskFailedError", InnerType: "*scenarios.failKind"}}}
}

// Versions (item 12): a start's version is the orchestration's; its
// activities and sub-orchestrations inherit it unless the call sets one.
func Versions() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(
			reg.AddActivity("Which", func(ctx durable.ActivityContext) (any, error) { return ctx.Version(), nil }),
			reg.AddOrchestrator("VersionChild", func(ctx *durable.OrchestrationContext) (any, error) { return ctx.Version(), nil }),
			reg.AddOrchestrator("Versioned", func(ctx *durable.OrchestrationContext) (any, error) {
				out := []string{ctx.Version(), "", "", "", ""}
				tasks := []*durable.Task{ctx.CallActivity("Which", nil), ctx.CallActivity("Which", nil, durable.WithVersion("a2")),
					ctx.CallSubOrchestrator("VersionChild", nil), ctx.CallSubOrchestrator("VersionChild", nil, durable.WithVersion("c3"))}
				for i, task := range tasks {
					if err := task.Await(&out[i+1]); err != nil {
						return nil, err
					}
				}
				return out, nil
			}))
	}
	versioned := start(0, "versioned", "Versioned", nil)
	versioned.Req.Version = "2.1"
	return Scenario{Name: "Versions", Setup: setup,
		Calls:  []Call{versioned, start(0, "unversioned", "Versioned", nil)},
		Expect: []Expect{completed("versioned", `["2.1","2.1","a2","2.1","c3"]`), completed("unversioned", `["","","a2","","c3"]`)}}
}

// RecursiveTerminate (item 9): a terminate ends the instance's running
// sub-orchestrations too; with OnlyThis the child runs on (and completes
// on its event).
func RecursiveTerminate() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(setupGated(reg), reg.AddOrchestrator("GatedParent", func(ctx *durable.OrchestrationContext) (any, error) {
			return nil, ctx.CallSubOrchestrator("Gated", "child", durable.WithInstanceID(ctx.InstanceID()+"-child")).Await(nil)
		}))
	}
	only := request(300*ms, durable.RequestTerminate, "term-only")
	only.Req.OnlyThis, only.Req.Payload = true, []byte(`"stop"`)
	all := request(300*ms, durable.RequestTerminate, "term-all")
	all.Req.Payload = []byte(`"stop"`)
	return Scenario{Name: "RecursiveTerminate", Setup: setup,
		Calls: []Call{start(0, "term-all", "GatedParent", nil), start(0, "term-only", "GatedParent", nil), all, only,
			raise(900*ms, "term-only-child", "go")},
		Expect: []Expect{{Instance: "term-all", Status: durable.StatusTerminated}, {Instance: "term-all-child", Status: durable.StatusTerminated},
			{Instance: "term-only", Status: durable.StatusTerminated}, completed("term-only-child", `"child"`)}}
}

// RecursivePurge (item 9): a purge purges the instance's finished
// sub-orchestrations too, recursively ("purge-tree" takes its child and
// grandchild along); with OnlyThis the child is left ("purge-one-c" is
// still there, completed); a purge of a parent whose child still runs
// purges the parent and leaves the child ("purge-live-c", terminated
// earlier with OnlyThis, runs on and completes on its event).
func RecursivePurge() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(setupGated(reg),
			reg.AddOrchestrator("Nest", func(ctx *durable.OrchestrationContext) (any, error) {
				var depth int
				if err := ctx.GetInput(&depth); err != nil {
					return nil, err
				}
				if depth == 0 {
					return "leaf", nil
				}
				var out string
				err := ctx.CallSubOrchestrator("Nest", depth-1, durable.WithInstanceID(ctx.InstanceID()+"-c")).Await(&out)
				return out, err
			}),
			reg.AddOrchestrator("GatedChild", func(ctx *durable.OrchestrationContext) (any, error) {
				return nil, ctx.CallSubOrchestrator("Gated", "live", durable.WithInstanceID(ctx.InstanceID()+"-c")).Await(nil)
			}))
	}
	only := request(1500*ms, durable.RequestPurge, "purge-one")
	only.Req.OnlyThis = true
	stop := request(300*ms, durable.RequestTerminate, "purge-live")
	stop.Req.OnlyThis, stop.Req.Payload = true, []byte(`"stop"`)
	return Scenario{Name: "RecursivePurge", Setup: setup,
		Calls: []Call{start(0, "purge-tree", "Nest", 2), start(0, "purge-one", "Nest", 1), start(0, "purge-live", "GatedChild", nil), stop,
			request(1000*ms, durable.RequestWait, "purge-tree"), request(1000*ms, durable.RequestWait, "purge-one"),
			request(1500*ms, durable.RequestPurge, "purge-tree"), only, request(1500*ms, durable.RequestPurge, "purge-live"),
			request(1800*ms, durable.RequestStatus, "purge-tree"), request(1800*ms, durable.RequestStatus, "purge-tree-c"),
			request(1800*ms, durable.RequestStatus, "purge-tree-c-c"), request(1800*ms, durable.RequestStatus, "purge-one"),
			request(1800*ms, durable.RequestStatus, "purge-one-c"), request(1800*ms, durable.RequestStatus, "purge-live"),
			request(1800*ms, durable.RequestStatus, "purge-live-c"), raise(1900*ms, "purge-live-c", "go")},
		Answers: []Answer{{Call: 5, Status: durable.StatusCompleted}, {Call: 6, Status: durable.StatusCompleted},
			{Call: 7}, {Call: 8}, {Call: 9},
			{Call: 10, NotFound: true}, {Call: 11, NotFound: true}, {Call: 12, NotFound: true}, {Call: 13, NotFound: true},
			{Call: 14, Status: durable.StatusCompleted}, {Call: 15, NotFound: true}, {Call: 16, Status: durable.StatusRunning}},
		Expect: []Expect{completed("purge-one-c", `"leaf"`), completed("purge-live-c", `"live"`)}}
}

// ScheduledStart (item 9): a start scheduled 1 s ahead (StartAt) is
// Pending until then, then runs.
func ScheduledStart() Scenario {
	later := start(0, "scheduled", "Gated", "on time")
	later.StartAfter = port.Second
	return Scenario{Name: "ScheduledStart", Setup: setupGated,
		Calls: []Call{later, request(400*ms, durable.RequestStatus, "scheduled"), raise(1600*ms, "scheduled", "go"),
			request(1700*ms, durable.RequestStatus, "scheduled")},
		Answers: []Answer{{Call: 2, Status: durable.StatusPending}},
		Expect:  []Expect{completed("scheduled", `"on time"`)}}
}

// QueryInstances (item 9): instances listed by status, name prefix and
// creation time, a page at a time: one page of one of the two completed
// "Quick" instances with a continuation, the next page with the other and
// none; the running one by its status; none created in 2100.
func QueryInstances() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(setupGated(reg), reg.AddOrchestrator("Quick", func(ctx *durable.OrchestrationContext) (any, error) {
			var in string
			err := ctx.GetInput(&in)
			return in, err
		}))
	}
	query := func(at port.Time, q durable.InstanceQuery) Call {
		req, err := durable.QueryRequest(q)
		if err != nil {
			panic(err) // the table's own queries are valid
		}
		return Call{At: at, Req: req}
	}
	done := []durable.Status{durable.StatusCompleted}
	return Scenario{Name: "QueryInstances", Setup: setup,
		Calls: []Call{start(0, "list-done-1", "Quick", "a"), start(0, "list-done-2", "Quick", "b"), start(0, "list-running", "Gated", "c"),
			query(1500*ms, durable.InstanceQuery{Statuses: done, NamePrefix: "Qu", PageSize: 1}),
			query(1500*ms, durable.InstanceQuery{Statuses: done, NamePrefix: "Qu", PageSize: 1, ContinuationToken: "list-done-1"}),
			query(1500*ms, durable.InstanceQuery{Statuses: []durable.Status{durable.StatusRunning}}),
			query(1500*ms, durable.InstanceQuery{CreatedFrom: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}),
			raise(1600*ms, "list-running", "go")},
		Answers: []Answer{{Call: 4, Page: []string{"list-done-1"}, More: true}, {Call: 5, Page: []string{"list-done-2"}},
			{Call: 6, Page: []string{"list-running"}}, {Call: 7, Page: []string{}}},
		Expect: []Expect{completed("list-done-1", `"a"`), completed("list-done-2", `"b"`), completed("list-running", `"c"`)}}
}

// WorkflowQueryInstances (item 9, the workflow service): executions listed
// by status, state machine name prefix and creation time, a page at a
// time in name order, as ListExecutions: the two Hello3 executions a page
// each, then with the Hello5 one by prefix "Hello", none running once
// they finished, none created in 2100.
func WorkflowQueryInstances() Scenario {
	query := func(at port.Time, q durable.InstanceQuery) Call {
		req, err := durable.QueryRequest(q)
		if err != nil {
			panic(err) // the table's own queries are valid
		}
		return Call{At: at, Req: req}
	}
	done := []durable.Status{durable.StatusCompleted}
	greetings := `["Hello Tokyo!","Hello Seattle!","Hello London!"]`
	return Scenario{Name: "WorkflowQueryInstances", Setup: SetupHello,
		Calls: []Call{start(0, "wf-list-1", "Hello3", nil), start(0, "wf-list-2", "Hello3", nil), start(0, "wf-list-5", "Hello5", nil),
			request(10*ms, durable.RequestWait, "wf-list-1"), request(10*ms, durable.RequestWait, "wf-list-2"),
			request(10*ms, durable.RequestWait, "wf-list-5"),
			query(1000*ms, durable.InstanceQuery{Statuses: done, NamePrefix: "Hello3", PageSize: 1}),
			query(1000*ms, durable.InstanceQuery{Statuses: done, NamePrefix: "Hello3", PageSize: 1, ContinuationToken: "wf-list-1"}),
			query(1000*ms, durable.InstanceQuery{NamePrefix: "Hello"}),
			query(1000*ms, durable.InstanceQuery{Statuses: []durable.Status{durable.StatusRunning, durable.StatusFailed}}),
			query(1000*ms, durable.InstanceQuery{CreatedFrom: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})},
		Answers: []Answer{{Call: 7, Page: []string{"wf-list-1"}, More: true}, {Call: 8, Page: []string{"wf-list-2"}},
			{Call: 9, Page: []string{"wf-list-1", "wf-list-2", "wf-list-5"}}, {Call: 10, Page: []string{}}, {Call: 11, Page: []string{}}},
		Expect: []Expect{completed("wf-list-1", greetings), completed("wf-list-2", greetings)}}
}
