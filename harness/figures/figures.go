package figures

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// Models is the simulator model set every figure runs on: the one place
// to switch the figures to another (calibrated) set. Every notebook and
// every result row names the set that ran.
const Models = spec.DefaultModels

// Seed is the seed of every figure's specs; repetition i runs seed+i.
const Seed = 1

// Paper setup constants (paper-notes.md, "Setup the paper used").
const (
	Repetitions     = 6
	PaperPartitions = 12
	PaperControlQs  = 12
)

// Chart kinds of the figures.
const (
	KindScaleOut    = "scaleout"
	KindTraffic     = "traffic"
	KindCDF         = "cdf"
	KindSpeculation = "speculation"
	KindTimeline    = "timeline"
)

// Figure is one figure: its id, title, the matrices whose points it runs
// and how it is charted. A figure with Source set runs nothing: it charts
// the runs of figure Source on the cluster shape Shape (Fig. 10 is the
// storage traffic of Fig. 9's runs).
type Figure struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Kind     string        `json:"kind"`
	Matrices []spec.Matrix `json:"matrices,omitempty"`
	Source   string        `json:"source,omitempty"`
	Shape    spec.Cluster  `json:"shape,omitzero"`
	// Faults is the fault plan of a timeline figure (also in its specs).
	Faults string `json:"faults,omitempty"`
	// Sizing says how the workloads were sized, for the notebook.
	Sizing string `json:"sizing,omitempty"`
	// fit sizes each expanded point by its shape (workload parameters,
	// instances, activity caps); nil leaves points as expanded.
	fit func(*spec.Spec, Config) error
	cfg Config
}

// Config are the knobs of a figures run: the model set, repetitions and a
// scale for the workload sizes (1 = the committed figures; tests use a
// small scale). The seed is Seed.
type Config struct {
	Models      string  `json:"models"`
	Repetitions int     `json:"repetitions"`
	Scale       float64 `json:"scale"`
}

// DefaultConfig is what `make figures` runs.
func DefaultConfig() Config { return Config{Models: Models, Repetitions: Repetitions, Scale: 1} }

// Validate names the bad field.
func (c Config) Validate() error {
	switch {
	case c.Models == "":
		return fmt.Errorf("figures config: models is empty")
	case c.Repetitions < 1 || c.Repetitions > 100:
		return fmt.Errorf("figures config: repetitions = %d: allowed 1..100", c.Repetitions)
	case !(c.Scale > 0) || c.Scale > 10:
		return fmt.Errorf("figures config: scale = %v: allowed 0 < scale <= 10", c.Scale)
	}
	return nil
}

// scaled is n × scale, at least 1.
func (c Config) scaled(n int) int { return max(1, int(math.Round(float64(n)*c.Scale))) }

func raw(vs ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(vs))
	for i, v := range vs {
		out[i] = json.RawMessage(v)
	}
	return out
}

// Engine axis values: the paper's knobs.
const (
	originalPaper  = `{"name":"original","original":{"controlQueues":12}}`
	netheriteLocal = `{"name":"netherite","netherite":{"partitions":12,"speculation":"local"}}`
	netheriteNone  = `{"name":"netherite","netherite":{"partitions":12,"speculation":"none"}}`
	workflowPaper  = `{"name":"workflow"}`
	queueChain2020 = `{"name":"queuechain","queuechain":{"host":"2020"}}`
	queueChainNow  = `{"name":"queuechain","queuechain":{"host":"current"}}`
	blobChain      = `{"name":"blobchain"}`
	lambdaChain    = `{"name":"lambdachain"}`
	// sqlPaper is the sql engine on the provider's largest database of its
	// scaling table (16 vCores), so that the database binds only large
	// clusters.
	sqlPaper = `{"name":"sql","sql":{"vCores":16}}`
)

// LatencyAlternatives are the systems beside the engines in each Fig. 11
// panel, as the paper plots them: the workflow service for Hello3 and
// image recognition, the trigger chains for Sequence (the queue chain with
// the 2020 host's defaults, which the paper's runs most likely had, and
// with the current host's).
var LatencyAlternatives = map[string][]string{
	"hello3":   {workflowPaper},
	"sequence": {queueChain2020, queueChainNow, blobChain, lambdaChain},
	"imagerec": {workflowPaper},
}

var (
	engines = spec.Axis{Path: "engine", Values: raw(originalPaper, netheriteLocal, sqlPaper)}
	// paperEngines are the paper's two (the elasticity figure's).
	paperEngines = spec.Axis{Path: "engine", Values: raw(originalPaper, netheriteLocal)}
	nodes        = spec.Axis{Path: "cluster.nodes", Values: raw(`1`, `4`, `8`, `12`)}
	cores        = spec.Axis{Path: "cluster.cores", Values: raw(`1`, `2`, `4`)}
)

// ThroughputWorkloads are Fig. 9's workloads, in the paper's order.
var ThroughputWorkloads = []string{"hello5", "bank", "wordcount", "collision"}

func (c Config) base(name, workload string) spec.Spec {
	return spec.Spec{Name: name, Engine: spec.Engine{Name: spec.EngineOriginal},
		Backend:  spec.Backend{Kind: spec.BackendSim, Models: c.Models},
		Workload: spec.Workload{Name: workload}, Load: spec.Load{Kind: spec.LoadClosed, Instances: 1},
		Seed: Seed, Repetitions: c.Repetitions}
}

// All returns every figure definition for cfg, in the paper's order.
func All(cfg Config) []Figure {
	figs := []Figure{fig9(cfg), fig10(), fig11(cfg), speculation(cfg), elasticity(cfg), sqlScaling(cfg), whatIf(cfg)}
	for i := range figs {
		figs[i].cfg = cfg
	}
	return figs
}

// IDs are the figure ids, in order.
func IDs() []string {
	var ids []string
	for _, f := range All(DefaultConfig()) {
		ids = append(ids, f.ID)
	}
	return ids
}

// ByID returns the figure with id.
func ByID(cfg Config, id string) (Figure, error) {
	for _, f := range All(cfg) {
		if f.ID == id {
			return f, nil
		}
	}
	return Figure{}, fmt.Errorf("figure %q is not one of %s", id, strings.Join(IDs(), ", "))
}

// Expand returns every spec of f, matrix by matrix, sized by its shape.
func (f Figure) Expand() ([]spec.Spec, error) {
	var out []spec.Spec
	for i, m := range f.Matrices {
		pts, err := m.Expand()
		if err != nil {
			return nil, fmt.Errorf("figure %s matrix %d: %w", f.ID, i, err)
		}
		for _, p := range pts {
			s := p.Spec
			if f.fit != nil {
				if err := f.fit(&s, f.cfg); err != nil {
					return nil, fmt.Errorf("figure %s: %w", f.ID, err)
				}
			}
			spec.WithPaperThroughputUnits(&s)
			if s, err = s.Resolve(); err != nil {
				return nil, fmt.Errorf("figure %s: %w", f.ID, err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// fig9 is the throughput scale-out: 4 workloads × nodes × cores × engines.
func fig9(cfg Config) Figure {
	f := Figure{ID: "fig9", Title: "Fig. 9: throughput scale-out", Kind: KindScaleOut, fit: fitThroughput, Sizing: throughputSizing}
	for _, w := range ThroughputWorkloads {
		f.Matrices = append(f.Matrices, spec.Matrix{Base: cfg.base("fig9/"+w, w), Axes: []spec.Axis{engines, nodes, cores}})
	}
	return f
}

// fig10 is the storage traffic of Fig. 9's runs on one cluster shape.
func fig10() Figure {
	return Figure{ID: "fig10", Title: "Fig. 10: storage traffic", Kind: KindTraffic, Source: "fig9", Shape: spec.Cluster{Nodes: 4, Cores: 2}}
}

// LatencyWorkloads are Fig. 11's panels with their request rates (per
// second; Hello3 and Bank as the paper, Sequence and image recognition
// chosen here) and workload parameters.
var LatencyWorkloads = []struct {
	Name, Params string
	RatePerSec   float64
}{
	{"hello3", "", 10},
	{"sequence", `{"length":10}`, 10},
	{"imagerec", "", 2},
	{"bank", `{"pairs":1000}`, 5},
}

// latencyDuration is how long each Fig. 11 run sends requests.
const latencyDuration = 60 * time.Second

// fig11 is the latency CDFs on 4 nodes × 2 cores, open load.
func fig11(cfg Config) Figure {
	f := Figure{ID: "fig11", Title: "Fig. 11: latency CDFs on 4 nodes × 2 cores", Kind: KindCDF, fit: fitLatency,
		Sizing: fmt.Sprintf("open load at a fixed rate for %v × scale per run", latencyDuration)}
	for _, w := range LatencyWorkloads {
		b := cfg.base("fig11/"+w.Name, w.Name)
		b.Cluster = spec.Cluster{Nodes: 4, Cores: 2}
		b.Load = spec.Load{Kind: spec.LoadOpen, RatePerSec: w.RatePerSec, Duration: spec.Duration(latencyDuration), Spacing: "fixed",
			LatencyEnd: spec.LatencyEndStatus}
		if w.Params != "" {
			b.Workload.Params = json.RawMessage(w.Params)
		}
		systems := append([]string{netheriteLocal, netheriteNone, originalPaper, sqlPaper}, LatencyAlternatives[w.Name]...)
		f.Matrices = append(f.Matrices, spec.Matrix{Base: b, Axes: []spec.Axis{{Path: "engine", Values: raw(systems...)}}})
	}
	return f
}

// speculation is throughput by speculation level on 8 nodes × 2 cores.
func speculation(cfg Config) Figure {
	f := Figure{ID: "speculation", Title: "Speculation levels vs throughput, 8 nodes × 2 cores", Kind: KindSpeculation,
		fit: fitThroughput, Sizing: throughputSizing}
	for _, w := range ThroughputWorkloads {
		b := cfg.base("speculation/"+w, w)
		b.Engine = spec.Engine{Name: spec.EngineNetherite, Knobs: systems.Values{"partitions": fmt.Sprint(PaperPartitions)}}
		b.Cluster = spec.Cluster{Nodes: 8, Cores: 2}
		f.Matrices = append(f.Matrices, spec.Matrix{Base: b, Axes: []spec.Axis{
			{Path: "engine.netherite.speculation", Values: raw(`"none"`, `"local"`, `"global"`)}}})
	}
	return f
}

// ElasticityPlan is the elasticity figure's fault plan: two nodes of four
// leave by crashing and rejoin by restarting, one after the other.
const ElasticityPlan = "at 15s crash node1\nat 25s restart node1\nat 35s crash node2\nat 45s restart node2\n"

// elasticity is throughput and latency over time under ElasticityPlan.
func elasticity(cfg Config) Figure {
	b := cfg.base("elasticity/hello5", "hello5")
	b.Cluster = spec.Cluster{Nodes: 4, Cores: 2}
	b.Load = spec.Load{Kind: spec.LoadOpen, RatePerSec: 100, Duration: spec.Duration(60 * time.Second), Spacing: "fixed"}
	b.Faults = ElasticityPlan
	return Figure{ID: "elasticity", Title: "Elasticity and recovery: Hello5 at 100/s on 4 nodes × 2 cores while nodes crash and restart",
		Kind: KindTimeline, Faults: ElasticityPlan, Sizing: "open load of 100 Hello5 orchestrations/s for 60 s (not scaled: the plan's times are fixed)",
		Matrices: []spec.Matrix{{Base: b, Axes: []spec.Axis{paperEngines}}}}
}
