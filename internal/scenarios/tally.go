package scenarios

import (
	"fmt"
	"sort"
	"sync"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// TallyEntity is the entity on which every Tally orchestration marks itself
// done; pinned to partition (or control queue) 0.
var TallyEntity = durable.EntityID{Name: "Tally", Key: "t!0"}

// Tally counts what a Tally scenario did, for exactly-once and
// at-least-once checks: how often each activity ran (key instance/step).
type Tally struct {
	mu         sync.Mutex
	Executions map[string]int
}

// Runs returns the total activity executions and the number of distinct
// activity tasks that ran.
func (t *Tally) Runs() (executions, distinct int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range t.Executions {
		executions += n
	}
	return executions, len(t.Executions)
}

// Reexecuted lists the activity tasks that ran more than once, sorted.
func (t *Tally) Reexecuted() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for k, n := range t.Executions {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s×%d", k, n))
		}
	}
	sort.Strings(out)
	return out
}

// TallySteps is the number of activities each Tally orchestration runs.
const TallySteps = 3

// NewTally returns a scenario of n orchestrations tally0..tally(n-1), the
// i-th started at i×spread: each runs TallySteps activities in sequence,
// then marks itself on TallyEntity (a two-way call, so the mark is applied
// before it completes) and returns its greetings. After a run, the
// entity's state maps each instance to the number of marks applied: 1 for
// each if every orchestration step's effects happened exactly once.
func NewTally(n int, spread port.Time) (Scenario, *Tally) {
	t := &Tally{Executions: map[string]int{}}
	setup := func(reg *durable.Registry) error {
		return all(
			reg.AddActivity("Greet", func(ctx durable.ActivityContext) (any, error) {
				var step int
				if err := ctx.GetInput(&step); err != nil {
					return nil, err
				}
				t.mu.Lock()
				t.Executions[fmt.Sprintf("%s/%d", ctx.InstanceID(), step)]++
				t.mu.Unlock()
				return fmt.Sprintf("hello %d from %s", step, ctx.InstanceID()), nil
			}),
			reg.AddEntity("Tally", tallyEntity),
			reg.AddOrchestrator("Tallied", func(ctx *durable.OrchestrationContext) (any, error) {
				var out []string
				for s := 0; s < TallySteps; s++ {
					var g string
					if err := ctx.CallActivity("Greet", s).Await(&g); err != nil {
						return nil, err
					}
					out = append(out, g)
				}
				if err := ctx.CallEntity(TallyEntity, "mark", ctx.InstanceID()).Await(nil); err != nil {
					return nil, err
				}
				return out, nil
			}))
	}
	sc := Scenario{Name: "Tally", Setup: setup}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("tally%d", i)
		sc.Calls = append(sc.Calls, start(port.Time(i)*spread, id, "Tallied", nil))
		want := "["
		for s := 0; s < TallySteps; s++ {
			if s > 0 {
				want += ","
			}
			want += fmt.Sprintf(`"hello %d from %s"`, s, id)
		}
		sc.Expect = append(sc.Expect, completed(id, want+"]"))
	}
	return sc, t
}

// tallyEntity keeps a map of instance → marks.
func tallyEntity(ctx *durable.EntityContext) error {
	marks := map[string]int{}
	if err := ctx.GetState(&marks); err != nil {
		return err
	}
	if ctx.Operation() != "mark" {
		return fmt.Errorf("unknown operation %q", ctx.Operation())
	}
	var id string
	if err := ctx.GetInput(&id); err != nil {
		return err
	}
	marks[id]++
	return ctx.SetState(marks)
}
