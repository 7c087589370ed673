package simrun

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// modelSets are the simulator's named model sets (spec.backend.models).
// "default" is the scenario suite's small plausible set
// (internal/scenarios.DefaultModels), not yet calibrated on the paper's
// numbers; results name the set that ran.
var modelSets = map[string]func() *sim.ModelSet{
	"default": scenarios.DefaultModels,
}

// ModelSets returns the names of the known model sets, sorted.
func ModelSets() []string {
	out := make([]string, 0, len(modelSets))
	for n := range modelSets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// modelsFor returns a fresh copy of the named model set with the
// workload's activity CPU costs merged in (they override the set's).
func modelsFor(name string, cost workload.CostModel) (*sim.ModelSet, error) {
	mk, ok := modelSets[name]
	if !ok {
		return nil, fmt.Errorf("spec.backend.models = %q: allowed: %s", name, strings.Join(ModelSets(), ", "))
	}
	m := mk()
	costs := make(map[string]rng.Dist, len(m.CPU.CostsMs))
	for k, v := range m.CPU.CostsMs {
		costs[k] = v
	}
	sim := cost.SimCostsMs()
	for _, k := range workload.Keys(sim) {
		costs[k] = rng.Const(sim[k])
	}
	m.CPU.CostsMs = costs
	if len(cost.RemoteMs) > 0 {
		waits := make(map[string]rng.Dist, len(m.ActivityWaitMs)+len(cost.RemoteMs))
		for k, v := range m.ActivityWaitMs {
			waits[k] = v
		}
		for _, k := range workload.Keys(cost.RemoteMs) {
			waits[k] = rng.Const(cost.RemoteMs[k])
		}
		m.ActivityWaitMs = waits
	}
	return m, nil
}
