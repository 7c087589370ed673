// Package lifecycle is a workload of the programming model's lifecycle
// features, for the fault campaign and the engines' parity: each instance
// retries a failing sub-orchestration under a fixed id, races an activity
// and an external event against durable timers (WhenAny), and is
// suspended and resumed by its client while the event it waits for is
// raised. Its oracle checks each instance's output exactly and the
// attempt counter entity of each child (entity operations take effect
// exactly once, so the count is exact under any fault).
package lifecycle

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Names of the workload's functions.
const (
	Orchestrator  = "Lifecycle"
	Child         = "LifecycleChild"
	EchoActivity  = "LifecycleEcho"
	AttemptEntity = "LifecycleAttempts"
	GoEvent       = "go"
)

// MaxAttempts bounds Params.Attempts.
const MaxAttempts = 10

// Params configure the workload.
type Params struct {
	// Attempts is the child's retry policy's attempts (1..10).
	Attempts int `json:"attempts"`
	// Failures is how many attempts of the child fail before one succeeds
	// (0..10): the instance's child succeeds when Failures < Attempts.
	Failures int `json:"failures"`
	// Suspend makes the client suspend each instance after its start,
	// raise its event and resume it.
	Suspend bool `json:"suspend"`
}

// DefaultParams: three attempts, two failures, suspended.
func DefaultParams() Params { return Params{Attempts: 3, Failures: 2, Suspend: true} }

// Validate reports the first field out of range.
func (p Params) Validate() error {
	if p.Attempts < 1 || p.Attempts > MaxAttempts {
		return fmt.Errorf("lifecycle parameter attempts = %d: must be 1..%d", p.Attempts, MaxAttempts)
	}
	if p.Failures < 0 || p.Failures > MaxAttempts {
		return fmt.Errorf("lifecycle parameter failures = %d: must be 0..%d", p.Failures, MaxAttempts)
	}
	return nil
}

// Input is an instance's orchestration input.
type Input struct {
	Attempts int `json:"attempts"`
	Failures int `json:"failures"`
}

// Output is what an instance returns.
type Output struct {
	// Child is the child's output (the attempt that succeeded), or 0.
	Child int `json:"child"`
	// ChildFailure is the failure the retries ended with ("" if none).
	ChildFailure string `json:"childFailure,omitempty"`
	// EchoWinner is WhenAny's index for (activity, 1-hour timer): 0.
	EchoWinner int `json:"echoWinner"`
	// Echo is the activity's output.
	Echo string `json:"echo"`
	// NeverWinner is WhenAny's index for (an event never raised, a
	// 20 ms timer): 1; the lost wait is cancelled.
	NeverWinner int  `json:"neverWinner"`
	Cancelled   bool `json:"cancelled"`
	// Go is the payload of the event the client raised.
	Go string `json:"go"`
}

// Lifecycle is the workload.
type Lifecycle struct{ p Params }

// New validates p.
func New(p Params) (*Lifecycle, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Lifecycle{p: p}, nil
}

// Name is "lifecycle".
func (l *Lifecycle) Name() string { return "lifecycle" }

// Parameters returns the parameters.
func (l *Lifecycle) Parameters() any { return l.p }

// Register adds the orchestrators, the activity and the entity.
func (l *Lifecycle) Register(reg *durable.Registry) error {
	err := errors.Join(reg.AddOrchestrator(Orchestrator, lifecycle), reg.AddOrchestrator(Child, child),
		reg.AddActivity(EchoActivity, func(ctx durable.ActivityContext) (any, error) {
			var s string
			err := ctx.GetInput(&s)
			return "echo " + s, err
		}),
		reg.AddEntity(AttemptEntity, func(ctx *durable.EntityContext) error {
			var n int
			if ctx.HasState() {
				if err := ctx.GetState(&n); err != nil {
					return err
				}
			}
			n++
			ctx.SetState(n)
			ctx.Return(n)
			return nil
		}))
	if err != nil {
		return fmt.Errorf("lifecycle: %w", err)
	}
	return nil
}

// ChildID is instance id's child's instance id (fixed: every retry runs
// under it).
func ChildID(id string) string { return id + "-child" }

// AttemptsOf is the entity counting the attempts of child id.
func AttemptsOf(child string) durable.EntityID {
	return durable.EntityID{Name: AttemptEntity, Key: child}
}

// child fails its first Failures attempts; each attempt counts itself on
// its entity (exactly once) and returns its number when it succeeds.
func child(ctx *durable.OrchestrationContext) (any, error) {
	var failures int
	if err := ctx.GetInput(&failures); err != nil {
		return nil, err
	}
	var n int
	if err := ctx.CallEntity(AttemptsOf(ctx.InstanceID()), "inc", nil).Await(&n); err != nil {
		return nil, err
	}
	if n <= failures {
		return nil, fmt.Errorf("attempt %d failed", n)
	}
	return n, nil
}

func lifecycle(ctx *durable.OrchestrationContext) (any, error) {
	var in Input
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("lifecycle input: %w", err)
	}
	var out Output
	retry := durable.RetryPolicy{MaxAttempts: in.Attempts, FirstInterval: 20 * time.Millisecond, BackoffCoefficient: 2}
	if err := ctx.CallSubOrchestrator(Child, in.Failures, durable.WithInstanceID(ChildID(ctx.InstanceID())),
		durable.WithRetry(retry)).Await(&out.Child); err != nil {
		var tf *durable.TaskFailedError
		if !errors.As(err, &tf) {
			return nil, err
		}
		out.ChildFailure = tf.Message
	}
	echo := ctx.CallActivity(EchoActivity, ctx.InstanceID())
	if err := ctx.WhenAny(echo, ctx.CreateTimer(time.Hour)).Await(&out.EchoWinner); err != nil {
		return nil, err
	}
	if err := echo.Await(&out.Echo); err != nil {
		return nil, err
	}
	never := ctx.WaitForExternalEvent("never")
	if err := ctx.WhenAny(never, ctx.CreateTimer(20*time.Millisecond)).Await(&out.NeverWinner); err != nil {
		return nil, err
	}
	out.Cancelled = ctx.CancelWait(never)
	if err := ctx.WaitForExternalEvent(GoEvent).Await(&out.Go); err != nil {
		return nil, err
	}
	return out, nil
}

// InstanceID is instance i's orchestration id.
func (l *Lifecycle) InstanceID(i int) string { return "lifecycle-" + strconv.Itoa(i) }

func goPayload(id string) string { return "go " + id }

// Instance starts one orchestration, then (each request once the one
// before is answered) suspends it, raises its event and resumes it; the
// event waits in the suspended instance until the resume.
func (l *Lifecycle) Instance(i int, _ *rng.Source) ([]durable.ClientRequest, error) {
	id := l.InstanceID(i)
	in, err := durable.Marshal(Input{Attempts: l.p.Attempts, Failures: l.p.Failures})
	if err != nil {
		return nil, err
	}
	ev, err := durable.Marshal(goPayload(id))
	if err != nil {
		return nil, err
	}
	reqs := []durable.ClientRequest{{Kind: durable.RequestStart, Instance: id, Name: Orchestrator, Payload: in}}
	raise := durable.ClientRequest{Kind: durable.RequestRaise, Instance: id, Name: GoEvent, Payload: ev}
	if !l.p.Suspend {
		return append(reqs, raise), nil
	}
	reason := []byte(`"campaign"`)
	return append(reqs, durable.ClientRequest{Kind: durable.RequestSuspend, Instance: id, Payload: reason}, raise,
		durable.ClientRequest{Kind: durable.RequestResume, Instance: id, Payload: reason}), nil
}

// Units: one orchestration per instance.
func (l *Lifecycle) Units() workload.Units {
	return workload.Units{Name: "orchestrations", PerInstance: 1}
}

// Cost: trivial activities.
func (l *Lifecycle) Cost() workload.CostModel {
	return workload.CostModel{ActivityMs: map[string]float64{EchoActivity: 0.05}}
}

// Expected is what instance id returns with p.
func Expected(id string, p Params) Output {
	out := Output{Echo: "echo " + id, NeverWinner: 1, Cancelled: true, Go: goPayload(id)}
	if p.Failures < p.Attempts {
		out.Child = p.Failures + 1
	} else {
		out.ChildFailure = fmt.Sprintf("attempt %d failed", p.Attempts)
	}
	return out
}

var _ workload.EntityOracle = (*Lifecycle)(nil)

// OracleEntities names the attempt counter of every instance's child.
func (l *Lifecycle) OracleEntities(arrivals []workload.Arrival) ([]durable.EntityID, error) {
	var out []durable.EntityID
	for _, st := range workload.Starts(arrivals, Orchestrator) {
		out = append(out, AttemptsOf(ChildID(st.Instance)))
	}
	return out, nil
}

// Check requires every instance's output to be exactly Expected and its
// child's attempt counter to hold one count per attempt the retry policy
// made: min(Failures+1, Attempts).
func (l *Lifecycle) Check(run workload.Run) error {
	starts := workload.Starts(run.Arrivals, Orchestrator)
	if len(starts) == 0 {
		return fmt.Errorf("lifecycle: no orchestration was started")
	}
	wantCount := min(l.p.Failures+1, l.p.Attempts)
	for _, st := range starts {
		out, err := run.Completed(st.Instance)
		if err != nil {
			return fmt.Errorf("lifecycle: %w", err)
		}
		var got Output
		if err := workload.Decode("lifecycle output of "+st.Instance, out, &got); err != nil {
			return err
		}
		if want := Expected(st.Instance, l.p); got != want {
			return fmt.Errorf("lifecycle: %s returned %+v, want %+v", st.Instance, got, want)
		}
		counter := AttemptsOf(ChildID(st.Instance)).String()
		var n int
		if err := workload.Decode("lifecycle attempt counter "+counter, run.Entities[counter], &n); err != nil {
			return err
		}
		if n != wantCount {
			return fmt.Errorf("lifecycle: %s counts %d attempts of %s, want %d (each attempt exactly once)", counter, n, ChildID(st.Instance), wantCount)
		}
	}
	return nil
}
