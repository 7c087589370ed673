package scenarios

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

const ms = port.Millisecond

// Suite returns every scenario, each exercising features of the
// programming model.
func Suite() []Scenario {
	return []Scenario{Hello5(10), SubOrchestrations(), Timers(), ExternalEvents(), ContinueAsNew(),
		Retries(), Entities(), Bank(4), FanOutFanIn(20), Terminate(), UnregisteredEntities()}
}

func start(at port.Time, instance, name string, input any) Call {
	payload, err := durable.Marshal(input)
	if err != nil {
		panic(err)
	}
	return Call{At: at, Req: durable.ClientRequest{Kind: durable.RequestStart, Instance: instance, Name: name, Payload: payload}}
}

func completed(instance, output string) Expect {
	return Expect{Instance: instance, Status: durable.StatusCompleted, Output: output}
}

func all(errs ...error) error { return errors.Join(errs...) }

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

// SetupHello registers Hello5 and its SayHello activity (for engine tests too).
func SetupHello(reg *durable.Registry) error {
	return all(reg.AddOrchestrator("Hello5", hello5), reg.AddActivity("SayHello", sayHello))
}

// Hello5 starts n Hello5 orchestrations at once.
func Hello5(n int) Scenario {
	sc := Scenario{Name: "Hello5", Setup: SetupHello}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("hello%d", i)
		sc.Calls = append(sc.Calls, start(0, id, "Hello5", nil))
		sc.Expect = append(sc.Expect, completed(id,
			`["Hello Tokyo!","Hello Seattle!","Hello London!","Hello Amsterdam!","Hello Mumbai!"]`))
	}
	return sc
}

// SubOrchestrations: a parent runs children (on other partitions) in
// parallel and in sequence, one child failing.
func SubOrchestrations() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(SetupHello(reg),
			reg.AddOrchestrator("Child", func(ctx *durable.OrchestrationContext) (any, error) {
				var n int
				if err := ctx.GetInput(&n); err != nil {
					return nil, err
				}
				if n < 0 {
					return nil, errors.New("negative input")
				}
				var s string
				if err := ctx.CallActivity("SayHello", fmt.Sprint(n)).Await(&s); err != nil {
					return nil, err
				}
				return s, nil
			}),
			reg.AddOrchestrator("Parent", func(ctx *durable.OrchestrationContext) (any, error) {
				var tasks []*durable.Task
				for i := 1; i <= 4; i++ {
					tasks = append(tasks, ctx.CallSubOrchestrator("Child", i, durable.WithInstanceID(fmt.Sprintf("child%d!%d", i, i))))
				}
				out := make([]string, len(tasks))
				for i, t := range tasks {
					if err := t.Await(&out[i]); err != nil {
						return nil, err
					}
				}
				failed := ctx.CallSubOrchestrator("Child", -1).Await(nil)
				return map[string]any{"children": out, "failed": failed != nil}, nil
			}))
	}
	return Scenario{Name: "SubOrchestrations", Setup: setup,
		Calls:  []Call{start(0, "parent!0", "Parent", nil)},
		Expect: []Expect{completed("parent!0", `{"children":["Hello 1!","Hello 2!","Hello 3!","Hello 4!"],"failed":true}`)}}
}

// Timers: durable timers, and a timer raced against an activity.
func Timers() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(SetupHello(reg), reg.AddOrchestrator("Sleeper", func(ctx *durable.OrchestrationContext) (any, error) {
			t0 := ctx.CurrentTime()
			if err := ctx.CreateTimer(2 * time.Second).Await(nil); err != nil {
				return nil, err
			}
			slept := ctx.CurrentTime().Sub(t0) >= 2*time.Second
			var winner int
			long := ctx.CreateTimer(time.Hour)
			if err := ctx.WhenAny(long, ctx.CallActivity("SayHello", "x")).Await(&winner); err != nil {
				return nil, err
			}
			return map[string]any{"slept": slept, "winner": winner}, nil
		}))
	}
	return Scenario{Name: "Timers", Setup: setup,
		Calls:  []Call{start(0, "sleeper", "Sleeper", nil)},
		Expect: []Expect{completed("sleeper", `{"slept":true,"winner":1}`)}}
}

// ExternalEvents: an orchestration waits for events raised by the client
// and by another orchestration on another partition.
func ExternalEvents() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(
			reg.AddOrchestrator("Approver", func(ctx *durable.OrchestrationContext) (any, error) {
				var a, b string
				if err := ctx.WaitForExternalEvent("approve").Await(&a); err != nil {
					return nil, err
				}
				if err := ctx.WaitForExternalEvent("second").Await(&b); err != nil {
					return nil, err
				}
				return a + "+" + b, nil
			}),
			reg.AddOrchestrator("Sender", func(ctx *durable.OrchestrationContext) (any, error) {
				return "sent", ctx.SendEvent("approver!1", "second", "from-sender")
			}))
	}
	raise, _ := durable.Marshal("yes")
	return Scenario{Name: "ExternalEvents", Setup: setup,
		Calls: []Call{start(0, "approver!1", "Approver", nil),
			{At: 300 * ms, Req: durable.ClientRequest{Kind: durable.RequestRaise, Instance: "approver!1", Name: "approve", Payload: raise}},
			start(600*ms, "sender!2", "Sender", nil)},
		Expect: []Expect{completed("approver!1", `"yes+from-sender"`), completed("sender!2", `"sent"`)}}
}

// ContinueAsNew: an eternal counter restarts itself until it reaches 5.
func ContinueAsNew() Scenario {
	setup := func(reg *durable.Registry) error {
		return reg.AddOrchestrator("Counter", func(ctx *durable.OrchestrationContext) (any, error) {
			var n int
			if err := ctx.GetInput(&n); err != nil {
				return nil, err
			}
			if n >= 5 {
				return n, nil
			}
			if err := ctx.CreateTimer(10 * time.Millisecond).Await(nil); err != nil {
				return nil, err
			}
			return nil, ctx.ContinueAsNew(n + 1)
		})
	}
	return Scenario{Name: "ContinueAsNew", Setup: setup,
		Calls: []Call{start(0, "counter", "Counter", 0)}, Expect: []Expect{completed("counter", `5`)}}
}

// Retries: an activity fails twice then succeeds under a retry policy;
// another exhausts its attempts.
func Retries() Scenario {
	setup := func(reg *durable.Registry) error {
		// Activities run concurrently under the real driver.
		var mu sync.Mutex
		attempts := map[string]int{}
		return all(
			reg.AddActivity("Flaky", func(ctx durable.ActivityContext) (any, error) {
				mu.Lock()
				defer mu.Unlock()
				attempts[ctx.InstanceID()]++
				if n := attempts[ctx.InstanceID()]; n < 3 {
					return nil, fmt.Errorf("attempt %d failed", n)
				}
				return attempts[ctx.InstanceID()], nil
			}),
			reg.AddOrchestrator("Retrying", func(ctx *durable.OrchestrationContext) (any, error) {
				var max int
				if err := ctx.GetInput(&max); err != nil {
					return nil, err
				}
				var n int
				err := ctx.CallActivity("Flaky", nil, durable.WithRetry(durable.RetryPolicy{MaxAttempts: max,
					FirstInterval: 100 * time.Millisecond, BackoffCoefficient: 2})).Await(&n)
				return n, err
			}))
	}
	return Scenario{Name: "Retries", Setup: setup,
		Calls: []Call{start(0, "retry-ok", "Retrying", 5), start(0, "retry-fail", "Retrying", 2)},
		Expect: []Expect{completed("retry-ok", `3`),
			{Instance: "retry-fail", Status: durable.StatusFailed, FailureContains: "attempt 2 failed"}}}
}

func counter(ctx *durable.EntityContext) error {
	var v int
	if err := ctx.GetState(&v); err != nil {
		return err
	}
	switch ctx.Operation() {
	case "add":
		var d int
		if err := ctx.GetInput(&d); err != nil {
			return err
		}
		return ctx.SetState(v + d)
	case "get":
		return ctx.Return(v)
	case "relay":
		var to string
		if err := ctx.GetInput(&to); err != nil {
			return err
		}
		return ctx.SignalEntity(durable.EntityID{Name: "Counter", Key: to}, "add", v)
	}
	return fmt.Errorf("unknown operation %q", ctx.Operation())
}

// Entities: signals from a client and an orchestration, calls, and an
// entity signalling another entity on another partition.
func Entities() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(reg.AddEntity("Counter", counter),
			reg.AddOrchestrator("UseCounter", func(ctx *durable.OrchestrationContext) (any, error) {
				a := durable.EntityID{Name: "Counter", Key: "a!1"}
				for i := 0; i < 5; i++ {
					if err := ctx.SignalEntity(a, "add", 1); err != nil {
						return nil, err
					}
				}
				if err := ctx.CallEntity(a, "add", 10).Await(nil); err != nil {
					return nil, err
				}
				if err := ctx.CallEntity(a, "relay", "b!2").Await(nil); err != nil {
					return nil, err
				}
				var va, vb int
				if err := ctx.CallEntity(a, "get", nil).Await(&va); err != nil {
					return nil, err
				}
				// b is signalled by a; poll it until the relayed value arrived.
				for i := 0; i < 50 && vb == 0; i++ {
					if err := ctx.CallEntity(durable.EntityID{Name: "Counter", Key: "b!2"}, "get", nil).Await(&vb); err != nil {
						return nil, err
					}
				}
				return []int{va, vb}, nil
			}))
	}
	one, _ := durable.Marshal(100)
	return Scenario{Name: "Entities", Setup: setup,
		Calls: []Call{{At: 0, Req: durable.ClientRequest{Kind: durable.RequestSignal, Instance: "@Counter@a!1", Name: "add", Payload: one}},
			start(100*ms, "use-counter!3", "UseCounter", nil)},
		Expect: []Expect{completed("use-counter!3", `[115,115]`)}}
}

// Terminate: a client terminates an orchestration waiting for an event
// that never comes; a status query and a second start of a running
// instance are answered on the way.
func Terminate() Scenario {
	setup := func(reg *durable.Registry) error {
		return reg.AddOrchestrator("Forever", func(ctx *durable.OrchestrationContext) (any, error) {
			return nil, ctx.WaitForExternalEvent("never").Await(nil)
		})
	}
	reason, _ := durable.Marshal("enough")
	return Scenario{Name: "Terminate", Setup: setup,
		Calls: []Call{start(0, "forever", "Forever", nil),
			{At: 100 * ms, Req: durable.ClientRequest{Kind: durable.RequestStatus, Instance: "forever"}},
			start(150*ms, "forever", "Forever", nil),
			{At: 200 * ms, Req: durable.ClientRequest{Kind: durable.RequestTerminate, Instance: "forever", Payload: reason}}},
		Expect: []Expect{{Instance: "forever", Status: durable.StatusTerminated, Output: `"enough"`}}}
}

// UnregisteredEntities: a call of an entity the registry does not have
// fails with the entity's error, and a critical section on one fails at
// once, naming the registered entities, instead of locking it; the
// orchestration then locks a registered entity as usual.
func UnregisteredEntities() Scenario {
	setup := func(reg *durable.Registry) error {
		return all(reg.AddEntity("Counter", counter),
			reg.AddOrchestrator("UseUnknown", func(ctx *durable.OrchestrationContext) (any, error) {
				a, nope := durable.EntityID{Name: "Counter", Key: "a!1"}, durable.EntityID{Name: "Nope", Key: "k!2"}
				callErr := ctx.CallEntity(nope, "get", nil).Await(nil)
				if callErr == nil {
					return nil, errors.New("a call of an unregistered entity succeeded")
				}
				cs, lockErr := ctx.LockEntities(a, nope)
				if lockErr == nil {
					return nil, fmt.Errorf("a lock on an unregistered entity succeeded (%v)", cs.Entities())
				}
				cs, err := ctx.LockEntities(a)
				if err != nil {
					return nil, err
				}
				var v int
				if err := ctx.CallEntity(a, "get", nil).Await(&v); err != nil {
					return nil, err
				}
				cs.Release()
				return []any{callErr.Error(), lockErr.Error(), v}, nil
			}))
	}
	return Scenario{Name: "UnregisteredEntities", Setup: setup,
		Calls: []Call{start(0, "use-unknown!3", "UseUnknown", nil)},
		Expect: []Expect{completed("use-unknown!3", `["entity operation \"get\" failed: unknown entity \"Nope\" (registered: Counter)",`+
			`"critical section \"@Nope@k!2\" failed: unknown entity \"Nope\" (registered: Counter)",0]`)}}
}
