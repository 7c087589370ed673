package scenarios

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

func account(ctx *durable.EntityContext) error {
	var bal int
	if err := ctx.GetState(&bal); err != nil {
		return err
	}
	switch ctx.Operation() {
	case "get":
		return ctx.Return(bal)
	case "add":
		var d int
		if err := ctx.GetInput(&d); err != nil {
			return err
		}
		return ctx.SetState(bal + d)
	}
	return fmt.Errorf("unknown operation %q", ctx.Operation())
}

func acct(key string) durable.EntityID { return durable.EntityID{Name: "Account", Key: key} }

// transfer moves 100 from src to dst inside a critical section on both.
func transfer(ctx *durable.OrchestrationContext) (any, error) {
	var in [2]string
	if err := ctx.GetInput(&in); err != nil {
		return nil, err
	}
	cs, err := ctx.LockEntities(acct(in[0]), acct(in[1]))
	if err != nil {
		return nil, err
	}
	defer cs.Release()
	var bal int
	if err := ctx.CallEntity(acct(in[0]), "get", nil).Await(&bal); err != nil {
		return nil, err
	}
	if bal < 100 {
		return "insufficient", nil
	}
	if err := ctx.WhenAll(ctx.CallEntity(acct(in[0]), "add", -100), ctx.CallEntity(acct(in[1]), "add", 100)).Await(nil); err != nil {
		return nil, err
	}
	return "ok", nil
}

// bankRun funds the accounts, runs n concurrent transfers over them (in
// both directions) and returns the balances, read under a lock.
func bankRun(n int) durable.Orchestrator {
	return func(ctx *durable.OrchestrationContext) (any, error) {
		keys := []string{"src!1", "dst!2", "third!3"}
		for _, k := range keys {
			if err := ctx.CallEntity(acct(k), "add", 1000).Await(nil); err != nil {
				return nil, err
			}
		}
		var tasks []*durable.Task
		for i := 0; i < n; i++ {
			pair := [2]string{keys[i%3], keys[(i+1)%3]}
			tasks = append(tasks, ctx.CallSubOrchestrator("Transfer", pair, durable.WithInstanceID(fmt.Sprintf("transfer%d!%d", i, i))))
		}
		okCount := 0
		for _, t := range tasks {
			var s string
			if err := t.Await(&s); err != nil {
				return nil, err
			}
			if s == "ok" {
				okCount++
			}
		}
		cs, err := ctx.LockEntities(acct(keys[0]), acct(keys[1]), acct(keys[2]))
		if err != nil {
			return nil, err
		}
		total := 0
		for _, k := range keys {
			var b int
			if err := ctx.CallEntity(acct(k), "get", nil).Await(&b); err != nil {
				return nil, err
			}
			total += b
		}
		cs.Release()
		return map[string]int{"ok": okCount, "total": total}, nil
	}
}

// Bank: n transfers between accounts pinned to different partitions, each
// in a critical section across partitions; the total is conserved.
func Bank(n int) Scenario {
	setup := func(reg *durable.Registry) error {
		return all(reg.AddEntity("Account", account), reg.AddOrchestrator("Transfer", transfer),
			reg.AddOrchestrator("BankRun", bankRun(n)))
	}
	return Scenario{Name: "Bank", Setup: setup, Calls: []Call{start(0, "bank!0", "BankRun", nil)},
		Expect: []Expect{completed("bank!0", fmt.Sprintf(`{"ok":%d,"total":3000}`, n))}}
}

// FanOutFanIn: n activities in parallel, results summed.
func FanOutFanIn(n int) Scenario {
	setup := func(reg *durable.Registry) error {
		return all(
			reg.AddActivity("Square", func(ctx durable.ActivityContext) (any, error) {
				var v int
				err := ctx.GetInput(&v)
				return v * v, err
			}),
			reg.AddOrchestrator("FanOut", func(ctx *durable.OrchestrationContext) (any, error) {
				var tasks []*durable.Task
				for i := 1; i <= n; i++ {
					tasks = append(tasks, ctx.CallActivity("Square", i))
				}
				if err := ctx.WhenAll(tasks...).Await(nil); err != nil {
					return nil, err
				}
				sum := 0
				for _, t := range tasks {
					var v int
					if err := t.Await(&v); err != nil {
						return nil, err
					}
					sum += v
				}
				return sum, nil
			}))
	}
	want := n * (n + 1) * (2*n + 1) / 6
	return Scenario{Name: "FanOutFanIn", Setup: setup, Calls: []Call{start(0, "fan", "FanOut", nil)},
		Expect: []Expect{completed("fan", fmt.Sprint(want))}}
}
