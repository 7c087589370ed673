package workload

import (
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
)

// Workload is one of the paper's benchmarks, configured by its parameters.
type Workload interface {
	// Name is the workload's registry name ("hello5", "bank", ...).
	Name() string
	// Parameters returns the resolved parameters (defaults applied), for
	// the provenance of results; it encodes to the JSON New accepts.
	Parameters() any
	// Register adds the workload's functions to reg.
	Register(reg *durable.Registry) error
	// Instance returns the client requests that start instance i (i >= 0).
	// Instance ids are derived from i, so distinct i never collide. Random
	// choices (a bank pair, an image's format) are drawn from r only.
	Instance(i int, r *rng.Source) ([]durable.ClientRequest, error)
	// Units describes the work units of one instance.
	Units() Units
	// Cost is the simulator's cost model for this workload.
	Cost() CostModel
	// Check is the oracle: it returns nil when run's outcome is exactly
	// what the requests in run.Arrivals should have produced.
	Check(run Run) error
}

// Units describes a workload's work unit: Name ("orchestrations",
// "transactions", "words", "1e9 numbers") and how many units one instance
// is worth.
type Units struct {
	Name        string  `json:"name"`
	PerInstance float64 `json:"perInstance"`
}

// Run is what an oracle checks: the requests that were sent and what the
// engine ended with.
type Run struct {
	Arrivals []Arrival
	// Orchestrations holds the final outcome of orchestration instances by
	// instance id (sub-orchestrations may be included; they are ignored
	// unless a workload says otherwise).
	Orchestrations map[string]Outcome
	// Entities holds entity states (JSON) by entity instance id ("@name@key");
	// an entity without state is absent.
	Entities map[string][]byte
}

// Outcome is an orchestration instance's final status, output (JSON) and
// failure text.
type Outcome struct {
	Status  durable.Status
	Output  []byte
	Failure string
}

// Instances returns the distinct instance numbers of arrivals, in order of
// first appearance.
func Instances(arrivals []Arrival) []int {
	seen := map[int]bool{}
	var out []int
	for _, a := range arrivals {
		if !seen[a.Instance] {
			seen[a.Instance] = true
			out = append(out, a.Instance)
		}
	}
	return out
}

// TotalUnits is the work units of a run of w with these arrivals.
func TotalUnits(w Workload, arrivals []Arrival) float64 {
	return float64(len(Instances(arrivals))) * w.Units().PerInstance
}

// Starts returns the RequestStart requests of arrivals whose orchestrator
// is name, in arrival order.
func Starts(arrivals []Arrival, name string) []durable.ClientRequest {
	var out []durable.ClientRequest
	for _, a := range arrivals {
		if a.Req.Kind == durable.RequestStart && a.Req.Name == name {
			out = append(out, a.Req)
		}
	}
	return out
}

// EntityCompletion is implemented by workloads whose instances end in an
// entity's state rather than in an orchestration's completion (WordCount:
// a job is done when its Summary entity has every reducer's report). The
// harness polls that entity to time the instance; for the other workloads
// an instance is done when the orchestrations its requests start are.
type EntityCompletion interface {
	// DoneEntity returns the entity whose state marks instance i as done
	// and the test of that state (nil state: the entity has none yet).
	DoneEntity(i int) (durable.EntityID, func(state []byte) (bool, error))
}

// StartIDs returns the instance ids of every RequestStart in arrivals, in
// arrival order: the orchestrations a harness waits for.
func StartIDs(arrivals []Arrival) []string {
	var out []string
	for _, a := range arrivals {
		if a.Req.Kind == durable.RequestStart {
			out = append(out, a.Req.Instance)
		}
	}
	return out
}

// EntityOracle is implemented by workloads whose oracle reads entity
// states (Bank's accounts, WordCount's reducers and summaries): it names
// the entities a harness must read at the end of a run into Run.Entities.
type EntityOracle interface {
	OracleEntities(arrivals []Arrival) ([]durable.EntityID, error)
}
