package calibrate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/workloads/workload"
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
	// PerCores, if set, gives an engine's Bank instances, WordCount shape
	// and Collision B on 1, 2 and 4 cores instead of Bank, WordMappers,
	// WordReducers and Blocks: the paper's runs grew with the cores
	// (PaperSize).
	PerCores map[string][3]CoresSize
}

// CoresSize is one engine's load on one node of a given core count.
type CoresSize struct {
	Bank, WordMappers, WordReducers, Blocks int
}

// describe says how big the runs are, for the fit report.
func (z Size) describe() string {
	if z.PerCores == nil {
		return fmt.Sprintf("Runs are scaled down (Hello5/Bank %d orchestrations, WordCount %d×%d with %d words per book, Collision %d × B=%d, Hello3 %d s at 10/s)",
			z.Hello5, z.WordMappers, z.WordReducers, z.BookWords, z.Collisions, z.Blocks, z.Hello3Sec)
	}
	var parts []string
	for _, e := range workload.Keys(z.PerCores) {
		var cs []string
		for _, c := range z.PerCores[e] {
			cs = append(cs, fmt.Sprintf("Bank %d, WordCount %d×%d, B=%d", c.Bank, c.WordMappers, c.WordReducers, c.Blocks))
		}
		parts = append(parts, e+": "+strings.Join(cs, " / "))
	}
	return fmt.Sprintf("Runs are at the paper's single-node loads (Hello5 %d orchestrations; on 1 / 2 / 4 cores %s; %d words per book; %d Collision search; Hello3 %d s at 10/s)",
		z.Hello5, strings.Join(parts, "; "), z.BookWords, z.Collisions, z.Hello3Sec)
}

// at is z with the sizes of engine on cores (1, 2 or 4) applied.
func (z Size) at(engine string, cores int) Size {
	per, ok := z.PerCores[engine]
	if !ok {
		return z
	}
	c := per[min(cores/2, 2)] // 1 -> 0, 2 -> 1, 4 -> 2
	z.Bank, z.WordMappers, z.WordReducers, z.Blocks = c.Bank, c.WordMappers, c.WordReducers, c.Blocks
	return z
}

// Sizes of a full calibration and of --quick.
var (
	FullSize  = Size{Hello5: 200, Bank: 200, WordMappers: 5, WordReducers: 5, BookWords: 400, Collisions: 4, Blocks: 10, Hello3Sec: 30}
	QuickSize = Size{Hello5: 30, Bank: 30, WordMappers: 2, WordReducers: 2, BookWords: 100, Collisions: 1, Blocks: 2, Hello3Sec: 3}
	// PaperSize is the load of the paper's single-node runs, from its
	// benchmark scripts (durabletask-netherite test/PerformanceTests/series:
	// hello5.ps1, bank.ps1, wordcount.ps1, collision.ps1): Hello5 1,000
	// orchestrations started at once; Bank 1,000 / 2,000 / 3,000
	// transactions (original) and 1,000 / 3,000 / 4,000 (Netherite) on 1 /
	// 2 / 4 cores; WordCount 5×10 / 10×10 / 10×10 (original) and 5×10 /
	// 20×10 / 20×10 (Netherite) with books of 5,000 words (the mapper's
	// limit); one Collision search of B = 100 / 200 / 300. Hello3 runs 300 s
	// (the paper's 50 s warm-up and 250 s; the warm-up is not excluded).
	PaperSize = Size{Hello5: 1000, Bank: 1000, WordMappers: 5, WordReducers: 10, BookWords: 5000, Collisions: 1, Blocks: 100, Hello3Sec: 300,
		PerCores: map[string][3]CoresSize{
			spec.EngineOriginal:  {{1000, 5, 10, 100}, {2000, 10, 10, 200}, {3000, 10, 10, 300}},
			spec.EngineNetherite: {{1000, 5, 10, 100}, {3000, 20, 10, 200}, {4000, 20, 10, 300}},
		}}
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
			s.Workload, s.Load = throughputLoad(p.workload, z.at(p.engine, cores))
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
	// Every run ends at the last instance's own record of its completion
	// (an orchestration's Instances row, a WordCount job's Summary entity's
	// last update), not at the client's poll that found it: the paper's
	// throughput is first start to last completion, and the polls back off
	// to seconds apart (simrun), which stretched the short runs and on the
	// scaled-down WordCount job quantised the end to the same poll on 2 and
	// 4 cores. Engines whose entity status records no update time end at
	// the poll as before. Fig. 9 measures its runs the same way
	// (figures.fitThroughput).
	closed := func(n int) spec.Load {
		return spec.Load{Kind: spec.LoadClosed, Instances: n, LatencyEnd: spec.LatencyEndStatus}
	}
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
