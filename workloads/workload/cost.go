package workload

import "sort"

// CostModel is a workload's simulation cost model, as data. CPU costs are
// milliseconds of one core per execution; RemoteMs is modeled wall latency
// of a call to a remote service (no CPU); PayloadBytes are typical payload
// sizes, for models that need a size before a payload exists.
type CostModel struct {
	// ActivityMs is CPU per activity execution, by activity name.
	ActivityMs map[string]float64 `json:"activityMs,omitempty"`
	// OperationMs is CPU per entity operation, by "Entity.operation".
	OperationMs map[string]float64 `json:"operationMs,omitempty"`
	// RemoteMs is the modeled latency of remote calls made by an activity,
	// by activity name, on top of its CPU.
	RemoteMs map[string]float64 `json:"remoteMs,omitempty"`
	// PayloadBytes are typical input sizes, by activity, orchestrator or
	// "Entity.operation" name.
	PayloadBytes map[string]int `json:"payloadBytes,omitempty"`
}

// SimCostsMs returns the activity costs keyed the way the simulator's CPU
// model (sim.CPUModel.CostsMs) names them: "activity:<name>". Entity
// operation costs are not included: the engines report entity work as one
// generic kind ("entity-op", "entity-operation"), not by entity and
// operation, so OperationMs has no sim key yet.
func (c CostModel) SimCostsMs() map[string]float64 {
	out := map[string]float64{}
	for name, ms := range c.ActivityMs {
		out["activity:"+name] = ms
	}
	return out
}

// MeanOperationMs is the mean of OperationMs weighted by weights (counts
// of each "Entity.operation" in a run), for a model that charges every
// entity operation alike; 0 when nothing is weighted.
func (c CostModel) MeanOperationMs(weights map[string]float64) float64 {
	var sum, n float64
	for _, k := range Keys(weights) {
		sum += weights[k] * c.OperationMs[k]
		n += weights[k]
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// Keys returns m's keys sorted (for deterministic listings).
func Keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
