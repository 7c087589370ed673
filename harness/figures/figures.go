package figures

import (
	"encoding/json"
	"fmt"

	"github.com/dflab/dflab/harness/spec"
)

// Figure is one paper figure: its id, title, the matrices whose points it
// plots, and the chart kind (a plot.Kinds entry) with its options.
type Figure struct {
	ID        string        `json:"id"`
	Title     string        `json:"title"`
	Matrices  []spec.Matrix `json:"matrices"`
	Chart     string        `json:"chart"`
	Normalize bool          `json:"normalize,omitempty"`
	LogX      bool          `json:"logX,omitempty"`
}

// Paper setup constants (paper-notes.md, "Setup the paper used").
const (
	Repetitions      = 6
	PaperPartitions  = 12
	PaperControlQs   = 12
	ClusterInstances = 10_000
	SingleInstances  = 1_000
)

func raw(vs ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(vs))
	for i, v := range vs {
		out[i] = json.RawMessage(v)
	}
	return out
}

// engines is the engine axis: both engines with the paper's knobs.
var engines = spec.Axis{Path: "engine", Values: raw(
	`{"name":"original","original":{"controlQueues":12}}`,
	`{"name":"netherite","netherite":{"partitions":12,"speculation":"local"}}`)}

var cores = spec.Axis{Path: "cluster.cores", Values: raw(`1`, `2`, `4`)}

func base(workload string, load spec.Load) spec.Spec {
	return spec.Spec{Name: "", Engine: spec.Engine{Name: spec.EngineOriginal}, Backend: spec.Backend{Kind: spec.BackendSim},
		Workload: spec.Workload{Name: workload}, Load: load, Repetitions: Repetitions}
}

// scaleOut is Fig. 9 for one workload: one node with fewer instances,
// clusters with more (as the paper ran them).
func scaleOut(workload string) Figure {
	single := base(workload, spec.Load{Kind: spec.LoadClosed, Instances: SingleInstances})
	single.Name = "fig9/" + workload
	cluster := single
	cluster.Load.Instances = ClusterInstances
	return Figure{
		ID: "fig9-" + workload, Title: workload + " throughput scale-out (Fig. 9)", Chart: "scaleout", Normalize: true,
		Matrices: []spec.Matrix{
			{Base: single, Axes: []spec.Axis{engines, {Path: "cluster.nodes", Values: raw(`1`)}, cores}},
			{Base: cluster, Axes: []spec.Axis{engines, {Path: "cluster.nodes", Values: raw(`4`, `8`, `12`)}, cores}},
		},
	}
}

// latency is a Fig. 11 panel: 4 nodes × 2 cores, an open load.
func latency(workload string, rate float64, engineValues []json.RawMessage) Figure {
	b := base(workload, spec.Load{Kind: spec.LoadOpen, RatePerSec: rate, Duration: spec.Duration(120e9), Spacing: "fixed"})
	b.Name = "fig11/" + workload
	b.Cluster = spec.Cluster{Nodes: 4, Cores: 2}
	return Figure{
		ID: "fig11-" + workload, Title: workload + " latency CDF (Fig. 11)", Chart: "cdf", LogX: true,
		Matrices: []spec.Matrix{{Base: b, Axes: []spec.Axis{{Path: "engine", Values: engineValues}}}},
	}
}

// latencyEngines are Fig. 11's systems we run: Netherite, Netherite
// without pipelining, the original engine.
var latencyEngines = raw(
	`{"name":"netherite","netherite":{"partitions":12,"speculation":"local"}}`,
	`{"name":"netherite","netherite":{"partitions":12,"speculation":"none"}}`,
	`{"name":"original","original":{"controlQueues":12}}`)

// All returns every figure definition, in the paper's order.
func All() []Figure {
	var out []Figure
	for _, w := range []string{"hello5", "bank", "wordcount", "collision"} {
		out = append(out, scaleOut(w))
	}
	traffic := base("hello5", spec.Load{Kind: spec.LoadClosed, Instances: ClusterInstances})
	traffic.Name, traffic.Cluster = "fig10", spec.Cluster{Nodes: 4, Cores: 2}
	out = append(out, Figure{ID: "fig10", Title: "storage traffic (Fig. 10)", Chart: "traffic",
		Matrices: []spec.Matrix{{Base: traffic, Axes: []spec.Axis{engines,
			{Path: "workload.name", Values: raw(`"hello5"`, `"bank"`, `"wordcount"`, `"collision"`)}}}}})
	out = append(out, latency("hello3", 10, latencyEngines), latency("sequence", 10, latencyEngines),
		latency("imagerec", 1, latencyEngines), latency("bank", 5, latencyEngines))
	spec8 := base("hello5", spec.Load{Kind: spec.LoadClosed, Instances: ClusterInstances})
	spec8.Name, spec8.Cluster = "speculation", spec.Cluster{Nodes: 8, Cores: 2}
	spec8.Engine = spec.Engine{Name: spec.EngineNetherite}
	out = append(out, Figure{ID: "speculation", Title: "speculation levels vs throughput, 8 nodes × 2 cores", Chart: "throughput",
		Matrices: []spec.Matrix{{Base: spec8, Axes: []spec.Axis{
			{Path: "engine.netherite.speculation", Values: raw(`"none"`, `"local"`, `"global"`)},
			{Path: "workload.name", Values: raw(`"hello5"`, `"bank"`, `"collision"`, `"wordcount"`)}}}}})
	return out
}

// Expand returns every spec of f, matrix by matrix.
func (f Figure) Expand() ([]spec.Spec, error) {
	var out []spec.Spec
	for i, m := range f.Matrices {
		pts, err := m.Expand()
		if err != nil {
			return nil, fmt.Errorf("figure %s matrix %d: %w", f.ID, i, err)
		}
		for _, p := range pts {
			out = append(out, p.Spec)
		}
	}
	return out, nil
}

// ByID returns the figure with id.
func ByID(id string) (Figure, error) {
	var ids []string
	for _, f := range All() {
		if f.ID == id {
			return f, nil
		}
		ids = append(ids, f.ID)
	}
	return Figure{}, fmt.Errorf("figure %q is not one of %v", id, ids)
}
