// Package squares is a small custom workload: each instance is an
// orchestration that fans out one activity per k in 1..width (squaring
// k), sums the squares and adds the sum to a Total entity in one two-way
// call. Its oracle checks every output and that the Total holds each
// instance's sum exactly once.
package squares

import (
	"fmt"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/workload"
)

// Names of the workload and its functions.
const (
	Name         = "squares"
	Orchestrator = "SumOfSquares"
	Activity     = "Square"
	TotalEntity  = "Total"
)

// Total is the entity every instance adds its sum to.
var Total = durable.EntityID{Name: TotalEntity, Key: "all"}

// Params are the workload's parameters.
type Params struct {
	// Width is how many activities an instance fans out (1..100).
	Width int `json:"width"`
}

// Validate checks the parameters.
func (p Params) Validate() error {
	if p.Width < 1 || p.Width > 100 {
		return fmt.Errorf("squares: width = %d: allowed 1..100", p.Width)
	}
	return nil
}

// Factory registers the workload (cli.WithWorkload).
var Factory = workloads.Factory{
	Name:    Name,
	Summary: "a fan-out of activities squaring 1..width, summed into a Total entity",
	New: func(b []byte) (workload.Workload, error) {
		p := Params{Width: 4}
		if err := workload.DecodeParams(Name, b, &p); err != nil {
			return nil, err
		}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		return &Squares{p: p}, nil
	},
	Defaults: func() any { return Params{Width: 4} },
	Draw:     func(r *rng.Source) string { return fmt.Sprintf(`{"width":%d}`, 1+r.Intn(6)) },
}

// Squares is the workload.
type Squares struct{ p Params }

// Name implements workload.Workload.
func (s *Squares) Name() string { return Name }

// Parameters implements workload.Workload.
func (s *Squares) Parameters() any { return s.p }

// Register adds the orchestrator, the activity and the entity.
func (s *Squares) Register(reg *durable.Registry) error {
	if err := reg.AddOrchestrator(Orchestrator, s.orchestrate); err != nil {
		return err
	}
	if err := reg.AddActivity(Activity, square); err != nil {
		return err
	}
	return reg.AddEntity(TotalEntity, total)
}

func square(ctx durable.ActivityContext) (any, error) {
	var k int
	if err := ctx.GetInput(&k); err != nil {
		return nil, err
	}
	return k * k, nil
}

func total(ctx *durable.EntityContext) error {
	var sum, add int
	if ctx.HasState() {
		if err := ctx.GetState(&sum); err != nil {
			return err
		}
	}
	if err := ctx.GetInput(&add); err != nil {
		return err
	}
	return ctx.SetState(sum + add)
}

func (s *Squares) orchestrate(ctx *durable.OrchestrationContext) (any, error) {
	tasks := make([]*durable.Task, s.p.Width)
	for k := range tasks {
		tasks[k] = ctx.CallActivity(Activity, k+1)
	}
	if err := ctx.WhenAll(tasks...).Await(nil); err != nil {
		return nil, err
	}
	sum := 0
	for _, t := range tasks {
		var sq int
		if err := t.Await(&sq); err != nil {
			return nil, err
		}
		sum += sq
	}
	if err := ctx.CallEntity(Total, "add", sum).Await(nil); err != nil {
		return nil, err
	}
	return sum, nil
}

// want is an instance's sum: 1² + ... + width².
func (s *Squares) want() int { n := s.p.Width; return n * (n + 1) * (2*n + 1) / 6 }

// Instance starts one orchestration.
func (s *Squares) Instance(i int, _ *rng.Source) ([]durable.ClientRequest, error) {
	return []durable.ClientRequest{{Kind: durable.RequestStart, Instance: Name + "-" + strconv.Itoa(i), Name: Orchestrator}}, nil
}

// Units: one orchestration per instance.
func (s *Squares) Units() workload.Units {
	return workload.Units{Name: "orchestrations", PerInstance: 1}
}

// Cost: squaring is cheap.
func (s *Squares) Cost() workload.CostModel {
	return workload.CostModel{ActivityMs: map[string]float64{Activity: 0.02}}
}

// OracleEntities implements workload.EntityOracle: the oracle reads Total.
func (s *Squares) OracleEntities([]workload.Arrival) ([]durable.EntityID, error) {
	return []durable.EntityID{Total}, nil
}

// Check is the oracle: every instance returned its sum, and Total holds
// the sum of every instance's, each added exactly once.
func (s *Squares) Check(run workload.Run) error {
	starts := workload.Starts(run.Arrivals, Orchestrator)
	for _, st := range starts {
		out, err := run.Completed(st.Instance)
		if err != nil {
			return fmt.Errorf("squares: %w", err)
		}
		var got int
		if err := workload.Decode("squares output of "+st.Instance, out, &got); err != nil {
			return err
		}
		if got != s.want() {
			return workload.Violationf(workload.WrongOutput, "squares: %s returned %d, want %d", st.Instance, got, s.want())
		}
	}
	var sum int
	if err := workload.Decode("squares Total", run.Entities[Total.String()], &sum); err != nil {
		return err
	}
	if want := len(starts) * s.want(); sum != want {
		return workload.Violationf(workload.Count(int64(sum), int64(want)), "squares: Total = %d, want %d (%d instances × %d)",
			sum, want, len(starts), s.want())
	}
	return nil
}
