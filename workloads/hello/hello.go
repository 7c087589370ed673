package hello

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Cities are the cities HelloSequence greets, in order.
var Cities = []string{"Tokyo", "Seattle", "London", "Amsterdam", "Mumbai"}

// SayHelloActivity is the activity's registered name.
const SayHelloActivity = "SayHello"

// Greeting is what SayHello returns for city.
func Greeting(city string) string { return "Hello " + city + "!" }

// Hello is Hello3 or Hello5: an orchestration of Cities[:Count] calls.
type Hello struct {
	count int
}

// NewHello returns HelloN for n = 3 or 5 (the paper's two), or any n in
// 1..len(Cities).
func NewHello(n int) (*Hello, error) {
	if n < 1 || n > len(Cities) {
		return nil, fmt.Errorf("hello: cities = %d: must be 1..%d", n, len(Cities))
	}
	return &Hello{count: n}, nil
}

// Parameters: Hello has none.
func (h *Hello) Parameters() any { return struct{}{} }

// Name is "hello3", "hello5", ...
func (h *Hello) Name() string { return "hello" + strconv.Itoa(h.count) }

// Orchestrator is the registered orchestrator name ("Hello5", ...).
func (h *Hello) Orchestrator() string { return "Hello" + strconv.Itoa(h.count) }

// Register adds the orchestrator and, unless already present, SayHello.
func (h *Hello) Register(reg *durable.Registry) error {
	if err := reg.AddOrchestrator(h.Orchestrator(), h.orchestrate); err != nil {
		return fmt.Errorf("%s: %w", h.Name(), err)
	}
	return registerSayHello(reg)
}

// registerSayHello adds SayHello once (Hello3 and Hello5 may share a registry).
func registerSayHello(reg *durable.Registry) error {
	if _, err := reg.Activity(SayHelloActivity); err == nil {
		return nil
	}
	if err := reg.AddActivity(SayHelloActivity, sayHello); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	return nil
}

func sayHello(ctx durable.ActivityContext) (any, error) {
	var city string
	if err := ctx.GetInput(&city); err != nil {
		return nil, fmt.Errorf("SayHello input: %w", err)
	}
	return Greeting(city), nil
}

func (h *Hello) orchestrate(ctx *durable.OrchestrationContext) (any, error) {
	out := make([]string, 0, h.count)
	for _, city := range Cities[:h.count] {
		var g string
		if err := ctx.CallActivity(SayHelloActivity, city).Await(&g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// InstanceID is instance i's orchestration id.
func (h *Hello) InstanceID(i int) string { return h.Name() + "-" + strconv.Itoa(i) }

// Instance starts one orchestration (no input, no random choice).
func (h *Hello) Instance(i int, _ *rng.Source) ([]durable.ClientRequest, error) {
	return []durable.ClientRequest{{Kind: durable.RequestStart, Instance: h.InstanceID(i), Name: h.Orchestrator()}}, nil
}

// Units: one orchestration per instance.
func (h *Hello) Units() workload.Units {
	return workload.Units{Name: "orchestrations", PerInstance: 1}
}

// Cost is a placeholder until calibration: SayHello does almost nothing.
func (h *Hello) Cost() workload.CostModel {
	return workload.CostModel{
		ActivityMs:   map[string]float64{SayHelloActivity: 0.05},
		PayloadBytes: map[string]int{SayHelloActivity: 12, h.Orchestrator(): 0},
	}
}

// Check requires every started orchestration to have completed with the
// greetings of its cities, in order.
func (h *Hello) Check(run workload.Run) error {
	starts := workload.Starts(run.Arrivals, h.Orchestrator())
	if len(starts) == 0 {
		return fmt.Errorf("%s: no orchestration was started", h.Name())
	}
	// The output as the engines encode it (durable.Marshal of the []string)
	// is checked by comparing bytes; any other form is decoded and compared.
	want := make([]string, h.count)
	for k, city := range Cities[:h.count] {
		want[k] = Greeting(city)
	}
	wantJSON, err := durable.Marshal(want)
	if err != nil {
		return err
	}
	for _, s := range starts {
		out, err := run.Completed(s.Instance)
		if err != nil {
			return fmt.Errorf("%s: %w", h.Name(), err)
		}
		if bytes.Equal(out, wantJSON) {
			continue
		}
		var got []string
		if err := workload.Decode(h.Name()+" output of "+s.Instance, out, &got); err != nil {
			return err
		}
		if len(got) != h.count {
			return fmt.Errorf("%s: %s returned %d greetings %q, want %d", h.Name(), s.Instance, len(got), got, h.count)
		}
		for k, city := range Cities[:h.count] {
			if got[k] != Greeting(city) {
				return fmt.Errorf("%s: %s greeting %d = %q, want %q", h.Name(), s.Instance, k, got[k], Greeting(city))
			}
		}
	}
	return nil
}
