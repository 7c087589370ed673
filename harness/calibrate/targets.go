package calibrate

import (
	"encoding/json"
	"fmt"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// Target is one number of the paper's calibration set
// (../shared/paper-notes.md, "Calibration set") and the spec that measures
// it in dflab.
type Target struct {
	// ID names the target, e.g. "hello5/netherite/1x2" or
	// "hello3/original/p99".
	ID string
	// Paper is the paper's value (throughput in units/s, latency in ms).
	Paper float64
	// Unit of Paper ("orchestrations/s", "ms"...).
	Unit string
	// Spec is the (unresolved) spec whose run gives dflab's value.
	Spec spec.Spec
	// Pct is the latency percentile (25, 50, 90, 99) of a latency target; 0
	// for a throughput target.
	Pct float64
}

// Size scales the calibration runs: a fit evaluates every target many
// times, so its runs are scaled down from the paper's.
type Size struct {
	Hello5, Bank int // orchestrations started at once
	// WordCount is the mappers×reducers shape and the words per book.
	WordMappers, WordReducers, BookWords int
	Collisions, Blocks                   int // searches started at once, B of each
	Hello3Sec                            int // seconds of Hello3 at 10 requests/s
}

// Sizes of a full calibration and of --quick.
var (
	FullSize  = Size{Hello5: 200, Bank: 200, WordMappers: 5, WordReducers: 5, BookWords: 400, Collisions: 4, Blocks: 10, Hello3Sec: 30}
	QuickSize = Size{Hello5: 30, Bank: 30, WordMappers: 2, WordReducers: 2, BookWords: 100, Collisions: 1, Blocks: 2, Hello3Sec: 3}
)

// paperThroughput is Fig. 9 on one node (means), by workload, engine and
// cores 1, 2, 4.
var paperThroughput = []struct {
	workload, engine, unit string
	perCores               [3]float64
}{
	{"hello5", spec.EngineOriginal, "orchestrations/s", [3]float64{15.1, 24.4, 17.1}},
	{"hello5", spec.EngineNetherite, "orchestrations/s", [3]float64{35.1, 86.5, 109.8}},
	{"bank", spec.EngineOriginal, "transactions/s", [3]float64{10.2, 20.7, 33.9}},
	{"bank", spec.EngineNetherite, "transactions/s", [3]float64{17.5, 34.7, 59.8}},
	{"wordcount", spec.EngineOriginal, "words/s", [3]float64{286, 361, 1060}},
	{"wordcount", spec.EngineNetherite, "words/s", [3]float64{1002, 1119, 4279}},
	{"collision", spec.EngineOriginal, "10^9 numbers/s", [3]float64{1.03, 2.26, 4.41}},
	{"collision", spec.EngineNetherite, "10^9 numbers/s", [3]float64{1.11, 2.25, 4.15}},
}

// paperHello3 is Fig. 11's Hello3 latency on 4 nodes × 2 cores (ms) at
// p25, p50, p90, p99. The Step Functions row is not an engine and is left
// out.
var paperHello3 = []struct {
	name, engine, speculation string
	ms                        [4]float64
}{
	{"netherite-local", spec.EngineNetherite, spec.SpeculationLocal, [4]float64{11.6, 12.7, 15.5, 23.6}},
	{"netherite-none", spec.EngineNetherite, spec.SpeculationNone, [4]float64{87.6, 93.7, 116, 207}},
	{"original", spec.EngineOriginal, "", [4]float64{153, 202, 429, 2155}},
}

var latencyPcts = [4]float64{25, 50, 90, 99}

// Targets returns the calibration set's targets with specs of size z.
func Targets(z Size, seed uint64) []Target {
	var out []Target
	for _, p := range paperThroughput {
		for i, cores := range []int{1, 2, 4} {
			s := base(p.engine, 1, cores, seed)
			s.Workload, s.Load = throughputLoad(p.workload, z)
			s.Name = "calibrate/" + p.workload
			spec.WithPaperThroughputUnits(&s)
			out = append(out, Target{ID: fmt.Sprintf("%s/%s/1x%d", p.workload, p.engine, cores),
				Paper: p.perCores[i], Unit: p.unit, Spec: s})
		}
	}
	for _, p := range paperHello3 {
		s := base(p.engine, 4, 2, seed)
		if p.speculation != "" {
			s.Engine = s.Engine.With(systems.Values{"speculation": p.speculation})
		}
		s.Name = "calibrate/hello3"
		s.Workload = spec.Workload{Name: "hello3"}
		s.Load = spec.Load{Kind: spec.LoadOpen, RatePerSec: 10, Duration: spec.Duration(int64(z.Hello3Sec) * 1e9), Spacing: "fixed",
			LatencyEnd: spec.LatencyEndStatus}
		spec.WithPaperThroughputUnits(&s)
		for i, pct := range latencyPcts {
			out = append(out, Target{ID: fmt.Sprintf("hello3/%s/p%g", p.name, pct), Paper: p.ms[i], Unit: "ms", Spec: s, Pct: pct})
		}
	}
	return out
}

// paperControlQueues is the original engine's control queues in the
// paper's runs (Netherite ran its default of 12 partitions).
const paperControlQueues = 12

// base is a spec of engine as the paper configured it.
func base(engine string, nodes, cores int, seed uint64) spec.Spec {
	s := spec.Spec{Engine: spec.Engine{Name: engine}, Backend: spec.Backend{Kind: spec.BackendSim},
		Cluster: spec.Cluster{Nodes: nodes, Cores: cores}, Seed: seed, Repetitions: 1}
	if engine == spec.EngineOriginal {
		s.Engine = s.Engine.With(systems.Values{"controlQueues": fmt.Sprint(paperControlQueues)})
	}
	return s
}

// throughputLoad is the workload and closed load of a throughput target.
func throughputLoad(name string, z Size) (spec.Workload, spec.Load) {
	closed := func(n int) spec.Load { return spec.Load{Kind: spec.LoadClosed, Instances: n} }
	switch name {
	case "hello5":
		return spec.Workload{Name: name}, closed(z.Hello5)
	case "bank":
		return spec.Workload{Name: name}, closed(z.Bank)
	case "wordcount":
		p, _ := json.Marshal(map[string]int{"mappers": z.WordMappers, "reducers": z.WordReducers, "bookWords": z.BookWords})
		return spec.Workload{Name: name, Params: p}, closed(1)
	default: // collision
		p, _ := json.Marshal(map[string]int{"blocks": z.Blocks})
		return spec.Workload{Name: name, Params: p}, closed(z.Collisions)
	}
}
