package scenarios

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dflab/dflab/engine/durable"
)

// Parity returns the programming-model parity table (issue 22): one
// scenario per behaviour on which the engines must agree with each other
// and with Durable Functions, each with its expected outcome. Every engine
// runs it on the sim driver and for real (the tests beside each engine's
// suite), none skipped.
func Parity() []Scenario {
	return []Scenario{SubOrchestrationRetryFixedID(), ReuseFinishedChildID(), WhenAllFailureOrder()}
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
