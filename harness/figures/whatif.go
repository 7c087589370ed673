package figures

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/plot"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// KindWhatIf is the what-if scale-out far past the paper's 12 nodes.
const KindWhatIf = "whatif"

// The what-if's cluster: nodes doubling from 4 to 128, 4 cores each.
var WhatIfNodes = []int{4, 8, 16, 32, 64, 128}

// What-if constants.
const (
	WhatIfCores = 4
	// WhatIfPartitionsPerNode: Netherite runs 8 partitions per node (2 per
	// core), 32 on 4 nodes to 1,024 on 128 (the simulator's limit; the
	// real engine takes at most 32).
	WhatIfPartitionsPerNode = 8
	// WhatIfControlQueues is the original engine's control queues at
	// every size: 16, DurableTask.AzureStorage's maximum partition count
	// (dflab's simulator would take 64), so that beyond 16 nodes the other
	// workers run activities only.
	WhatIfControlQueues = 16
	// WhatIfRepetitions is the what-if's repetitions per point (fewer
	// when the figures run with fewer): the figure has a CPU budget.
	WhatIfRepetitions = 2
	// WhatIfThroughputUnits are Netherite's Event Hubs throughput units,
	// the Standard tier's most without a support request (the paper ran
	// Hello with 5).
	WhatIfThroughputUnits = 20
	// WhatIfStandbys is each Netherite partition's standbys (the default,
	// one on every other node, puts 1,024 × 127 lease requests into the
	// first second on 128 nodes: 6.5 s of the storage account's 20,000
	// requests/s, a deployment artefact that would bind the run).
	WhatIfStandbys = 2
	// WhatIfLogBytes is Netherite's commit log per partition (default
	// 64 MiB): recovery reads a fresh log's tail window, a flush's
	// maximum (an eighth of the log, at most 4 MiB), so at the default
	// 1,024 partitions read 5 GB of zeros at boot, 10 s of the
	// simulator's CPU; at 4 MiB, 0.5 MiB each. No run here writes a
	// quarter of it (the checkpoint trigger) in its few seconds.
	WhatIfLogBytes = "4MiB"
)

// whatIfInstances is a what-if point's closed load: enough for a few
// seconds of the point's throughput, so that the ramp-up (boot, the
// first instances' latency) and the tail cost a few percent, and no more
// (the figure's CPU budget). Netherite's Hello5 runs 150 per node (about
// 1.5 s of its CPU-bound throughput); its Bank caps at 4,800 (Event Hubs
// binds it at about 1,600 transactions/s from 32 nodes on); the original
// engine's shared queues cap it at about 120 Hello5 / 230 Bank
// transactions per second on every size, so its loads are fixed.
func whatIfInstances(workload, engine string, nodes int) int {
	switch {
	case engine == spec.EngineNetherite && workload == "hello5":
		return 150 * nodes
	case engine == spec.EngineNetherite:
		return min(150*nodes, 4800)
	case workload == "hello5":
		return 1500
	}
	return 1000
}

const whatIfSizing = "closed load, all started at once by the client: Netherite Hello5 150 orchestrations per node (600 on 4 nodes to " +
	"19,200 on 128), Netherite Bank 150 transactions per node up to 4,800, the original engine 1,500 Hello5 / 1,000 Bank at every " +
	"size (its shared queues bind it at about 120 / 230 per second whatever the size); × scale. Netherite: 8 partitions per node " +
	"(32..1,024), local speculation, Event Hubs at 20 throughput units, 2 standbys per partition, 4 MiB commit logs; the " +
	"original engine: 16 control queues (its real maximum) at every size. 2 repetitions per point. Measured when the figure was " +
	"sized: twice these loads changes throughput by 2 % (Netherite Bank on 32 nodes) to 6 % (Netherite Hello5 on 128 nodes: 8,105/s " +
	"against 7,661/s); the original engine's Hello5 on 16 nodes gave 123/s with 4,000 against 118/s with 1,500."

var (
	originalWhatIf  = fmt.Sprintf(`{"name":"original","original":{"controlQueues":%d}}`, WhatIfControlQueues)
	netheriteWhatIf = fmt.Sprintf(`{"name":"netherite","netherite":{"speculation":"local","eventHubs":{"throughputUnits":%d},"standbys":%d,"commitLogBytes":%q}}`,
		WhatIfThroughputUnits, WhatIfStandbys, WhatIfLogBytes)
)

// WhatIfWorkloads are the what-if's workloads.
var WhatIfWorkloads = []string{"hello5", "bank"}

// whatIf is Netherite and the original engine from 4 to 128 nodes.
func whatIf(cfg Config) Figure {
	f := Figure{ID: "whatif", Title: "What if: Netherite and the original engine on 4 to 128 nodes × 4 cores", Kind: KindWhatIf,
		fit: fitWhatIf, Sizing: whatIfSizing}
	var ns []string
	for _, n := range WhatIfNodes {
		ns = append(ns, fmt.Sprint(n))
	}
	for _, w := range WhatIfWorkloads {
		b := cfg.base("whatif/"+w, w)
		b.Cluster = spec.Cluster{Nodes: 1, Cores: WhatIfCores}
		b.Repetitions = min(cfg.Repetitions, WhatIfRepetitions)
		f.Matrices = append(f.Matrices, spec.Matrix{Base: b, Axes: []spec.Axis{
			{Path: "engine", Values: raw(originalWhatIf, netheriteWhatIf)},
			{Path: "cluster.nodes", Values: raw(ns...)}}})
	}
	return f
}

// fitWhatIf sizes a what-if point: its load, and Netherite's partitions.
func fitWhatIf(s *spec.Spec, cfg Config) error {
	n := s.Cluster.Nodes
	s.Load = spec.Load{Kind: spec.LoadClosed, Instances: cfg.scaled(whatIfInstances(s.Workload.Name, s.Engine.Name, n))}
	if s.Engine.Name == spec.EngineNetherite {
		s.Engine = s.Engine.With(systems.Values{"partitions": fmt.Sprint(WhatIfPartitionsPerNode * n)})
	}
	return nil
}

// whatIfEngines are the what-if's engines, in series order.
var whatIfEngines = []string{spec.EngineOriginal, spec.EngineNetherite}

// whatIfPoint is one engine × workload × size of the what-if.
type whatIfPoint struct {
	workload, engine string
	nodes, units     int // units: partitions or control queues
	instances, runs  int
	tput             metrics.Stat
	ok               bool
	bound            string  // the resource that bound most runs
	boundUtil        float64 // its mean utilisation
	second           string  // the busiest resource of another kind, "kind name (util)"
	speedup          float64 // throughput ÷ the previous size's (NaN on the first)
}

// whatIfPoints are the what-if's points, by workload, engine and size.
func (v *view) whatIfPoints() []whatIfPoint {
	var out []whatIfPoint
	for _, w := range WhatIfWorkloads {
		for _, e := range whatIfEngines {
			prev := math.NaN()
			for _, n := range WhatIfNodes {
				p := whatIfPoint{workload: w, engine: e, nodes: n, speedup: math.NaN()}
				for _, g := range v.okGroups() {
					s := g.Spec
					if s.Workload.Name != w || s.Engine.Name != e || s.Cluster.Nodes != n {
						continue
					}
					p.ok, p.runs, p.instances = true, len(g.Runs), s.Load.Instances
					p.tput = g.Stats["throughput_per_s"]
					p.units = s.Engine.Int("partitions")
					if e == spec.EngineOriginal {
						p.units = s.Engine.Int("controlQueues")
					}
					p.bound, p.boundUtil, p.second = boundOf(g)
				}
				if p.ok {
					p.speedup = p.tput.Mean / prev
					prev = p.tput.Mean
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// boundOf is the resource that bound most of g's runs, its mean
// utilisation over them, and the busiest resource of another kind.
func boundOf(g results.Group) (bound string, util float64, second string) {
	count := map[string]int{}
	for _, r := range g.Runs {
		if r.Metrics.Bound != nil {
			count[r.Metrics.Bound.String()]++
		}
	}
	best := 0
	for _, r := range g.Runs { // first to the highest count, in run order
		if b := r.Metrics.Bound; b != nil && count[b.String()] > best {
			bound, best = b.String(), count[b.String()]
		}
	}
	var sum float64
	var kind string
	for _, r := range g.Runs {
		if b := r.Metrics.Bound; b != nil && b.String() == bound {
			sum, kind = sum+b.Utilisation, b.Kind
		}
	}
	if best > 0 {
		util = sum / float64(best)
	}
	var hi *metrics.Resource
	for _, res := range g.Runs[0].Metrics.Resources {
		if res.Kind != kind && (hi == nil || res.Utilisation > hi.Utilisation) {
			hi = &res
		}
	}
	if hi != nil {
		second = fmt.Sprintf("%s (%.0f %%)", hi.String(), 100*hi.Utilisation)
	}
	return bound, util, second
}

// resourceFamily names a binding resource without its node or
// partition: what binds, not where.
func resourceFamily(res string) string {
	kind, name, _ := strings.Cut(res, " ")
	switch {
	case res == "":
		return "—"
	case kind == "cpu":
		return "node CPU"
	case kind == "core":
		if strings.Contains(name, "/p") {
			return "one partition's thread"
		}
		return "one worker's dispatcher thread"
	case kind == "activity-slots":
		return "activity slots"
	case name == "event-hubs-ingress":
		return "Event Hubs ingress"
	case name == "storage-account":
		return "storage account requests"
	case strings.HasPrefix(name, "queue ") && strings.HasSuffix(name, "workitems"):
		return "work-item queue"
	case strings.HasPrefix(name, "queue "):
		return "a control queue"
	case strings.HasPrefix(name, "page-blob"):
		return "a commit-log page blob"
	case strings.HasPrefix(name, "table-partition"):
		return "a table partition"
	}
	return res
}

// saturated is the utilisation from which a bound resource counts as
// saturated; below it no modelled resource ran full for the run, and the
// point was bound by latency (waits in pipelines), not capacity.
const saturated = 0.8

// shortFamily is resourceFamily as a chart's point text.
func shortFamily(res string) string {
	switch f := resourceFamily(res); f {
	case "node CPU":
		return "CPU"
	case "storage account requests":
		return "account"
	case "Event Hubs ingress":
		return "Event Hubs"
	case "one partition's thread":
		return "partition thread"
	case "one worker's dispatcher thread":
		return "dispatcher"
	default:
		return f
	}
}

// boundText is a point's binding resource as the chart writes it: its
// family and utilisation, * when below saturated.
func (p whatIfPoint) boundText() string {
	t := fmt.Sprintf("%s %.0f%%", shortFamily(p.bound), 100*p.boundUtil)
	if p.boundUtil < saturated {
		t += "*"
	}
	return t
}

// whatIfCharts are one chart per workload: throughput by nodes, a line
// per engine, each point labelled with what bound it.
func (v *view) whatIfCharts() ([]plot.Named, error) {
	pts := v.whatIfPoints()
	var out []plot.Named
	for _, w := range WhatIfWorkloads {
		d := plot.ScaleLinesData{Title: fmt.Sprintf("What if · %s throughput on 4 to 128 nodes × %d cores (models %s)", w, WhatIfCores, v.models),
			XLabel: "nodes (log scale)", YLabel: "throughput (log scale)", ErrorLabel: ciLabel(v.okGroups()),
			Notes: []string{"point text: the binding resource", fmt.Sprintf("and its utilisation; * below %.0f%%:", 100*saturated), "no resource ran full"}}
		for _, e := range whatIfEngines {
			l := plot.ScaleLine{Label: whatIfLabel(e), Color: engineColors(e)[2]}
			for _, p := range pts {
				if p.workload != w || p.engine != e {
					continue
				}
				y := p.tput.Mean
				if !p.ok {
					y = math.NaN()
				}
				l.X, l.Y = append(l.X, float64(p.nodes)), append(l.Y, y)
				l.Errors, l.Texts = append(l.Errors, p.tput.HalfWidth()), append(l.Texts, p.boundText())
				if d.YLabel == "throughput (log scale)" && p.ok {
					d.YLabel = v.unitOfWorkload(w) + "/s (log scale)"
				}
			}
			d.Lines = append(d.Lines, l)
		}
		c, err := wide(plot.ScaleLines(d))
		if err != nil {
			return nil, err
		}
		out = append(out, plot.Named{Name: "whatif-" + w, Chart: c})
	}
	return out, nil
}

func whatIfLabel(engine string) string {
	if engine == spec.EngineNetherite {
		return fmt.Sprintf("Netherite, %d partitions per node", WhatIfPartitionsPerNode)
	}
	return fmt.Sprintf("original, %d control queues", WhatIfControlQueues)
}

func (v *view) unitOfWorkload(w string) string { return unitOf(byWorkload(v.okGroups())[w]) }

// WhatIfColumns are whatif.csv's header: one row per point.
var WhatIfColumns = []string{"workload", "engine", "nodes", "cores", "partitions_or_control_queues", "instances", "runs",
	"throughput_per_s_mean", "throughput_per_s_ci95_half", "throughput_per_node", "speedup_vs_previous",
	"bound_resource", "bound_family", "bound_utilisation", "saturated", "busiest_other_kind"}

// writeWhatIfCSV writes the points, what the notebook reads.
func (v *view) writeWhatIfCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	_ = c.Write(WhatIfColumns)
	f := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		return fmt.Sprintf("%.4f", x)
	}
	for _, p := range v.whatIfPoints() {
		if !p.ok {
			continue
		}
		_ = c.Write([]string{p.workload, p.engine, fmt.Sprint(p.nodes), fmt.Sprint(WhatIfCores), fmt.Sprint(p.units), fmt.Sprint(p.instances),
			fmt.Sprint(p.runs), f(p.tput.Mean), f(p.tput.HalfWidth()), f(p.tput.Mean / float64(p.nodes)), f(p.speedup),
			p.bound, resourceFamily(p.bound), f(p.boundUtil), fmt.Sprint(p.boundUtil >= saturated), p.second})
	}
	c.Flush()
	return c.Error()
}

// bend is where an engine's curve bends on a workload: the first size at
// which doubling the nodes gave less than 1.5 times the throughput, and
// what bound the points from there on.
func bend(pts []whatIfPoint, w, e string) (at whatIfPoint, found bool) {
	for _, p := range pts {
		if p.workload == w && p.engine == e && p.ok && p.speedup < 1.5 {
			return p, true
		}
	}
	return whatIfPoint{}, false
}

// whatIfBody is the what-if's table per workload and its reading per
// engine: where the curve bends and why.
func (v *view) whatIfBody(m *md) (string, error) {
	pts := v.whatIfPoints()
	for _, w := range WhatIfWorkloads {
		m.p("## %s (mean ± 95%% CI over the seeds; bound = the busiest modelled resource over the run)", w)
		var rows [][]string
		for _, p := range pts {
			if p.workload != w || !p.ok {
				continue
			}
			units := fmt.Sprintf("%d partitions", p.units)
			if p.engine == spec.EngineOriginal {
				units = fmt.Sprintf("%d control queues", p.units)
			}
			rows = append(rows, []string{p.engine, fmt.Sprint(p.nodes), units, fmt.Sprint(p.instances), withCI(p.tput),
				num(p.tput.Mean / float64(p.nodes)), num(p.speedup), fmt.Sprintf("`%s` (%s)", p.bound, resourceFamily(p.bound)),
				fmt.Sprintf("%.0f %%", 100*p.boundUtil), p.second})
		}
		m.table([]string{"engine", "nodes", "engine units", "instances", "throughput /s", "per node /s", "× previous size", "bound", "its utilisation", "busiest of another kind"}, rows)
	}
	var says []string
	for _, w := range WhatIfWorkloads {
		for _, e := range whatIfEngines {
			says = append(says, bendSentence(pts, w, e))
		}
	}
	m.p("## Where each curve bends, and why\n\n%s", "- "+strings.Join(says, "\n- "))
	return "This is a simulator experiment past anything the paper ran (it stopped at 12 nodes), so there is no paper number to compare with. " +
		"What it can show is which modelled limit each engine meets first: the shape depends on the model set's service caps " +
		"(Azure Storage's 2,000 messages/s per queue and 20,000 requests/s per account, Event Hubs' 1,000 events/s per throughput unit) " +
		"and its CPU costs, and not on anything measured at these sizes. A point whose bound resource is below " +
		fmt.Sprintf("%.0f %%", 100*saturated) + " saturated none of them: it was bound by latency (steps waiting on storage round trips and polls).", nil
}

// bendSentence says where engine e's curve on workload w bends and why.
func bendSentence(pts []whatIfPoint, w, e string) string {
	var first, last whatIfPoint
	for _, p := range pts {
		if p.workload == w && p.engine == e && p.ok {
			if first.nodes == 0 {
				first = p
			}
			last = p
		}
	}
	if first.nodes == 0 {
		return fmt.Sprintf("%s on %s: no successful runs", e, w)
	}
	s := fmt.Sprintf("**%s on %s** goes from %s/s on %d nodes to %s/s on %d (%s×)", e, w, num(first.tput.Mean), first.nodes,
		num(last.tput.Mean), last.nodes, num(last.tput.Mean/first.tput.Mean))
	b, ok := bend(pts, w, e)
	if !ok {
		s += fmt.Sprintf(": it does not bend (every doubling of the nodes gave at least 1.5× the throughput); on %d nodes %s binds at %.0f %%",
			last.nodes, resourceFamily(last.bound), 100*last.boundUtil)
		if last.boundUtil >= saturated {
			return s + "."
		}
		return s + fmt.Sprintf(", and per node it fell from %s/s to %s/s: nothing ran full across the run (busiest of another kind: %s), "+
			"so the closed load's ramp, the engine booting on every node and the starts passing the transport, is a larger share of the run "+
			"there, and a larger load would measure more.", num(first.tput.Mean/float64(first.nodes)), num(last.tput.Mean/float64(last.nodes)), last.second)
	}
	s += fmt.Sprintf(": it bends at %d nodes (doubling from %d gave %s×)", b.nodes, b.nodes/2, num(b.speedup))
	var before, after []string
	type span struct {
		lo, hi      float64
		nFrom, nTo  int
		unsaturated bool
	}
	spans := map[string]*span{}
	for _, p := range pts {
		if p.workload != w || p.engine != e || !p.ok {
			continue
		}
		f := resourceFamily(p.bound)
		if p.nodes < b.nodes {
			before = append(before, fmt.Sprintf("%s %.0f %% on %d", f, 100*p.boundUtil, p.nodes))
			continue
		}
		sp := spans[f]
		if sp == nil {
			sp = &span{lo: p.boundUtil, hi: p.boundUtil, nFrom: p.nodes}
			spans[f] = sp
			after = append(after, f)
		}
		sp.lo, sp.hi, sp.nTo = min(sp.lo, p.boundUtil), max(sp.hi, p.boundUtil), p.nodes
		sp.unsaturated = sp.unsaturated || p.boundUtil < saturated
	}
	var binds []string
	for _, f := range after {
		sp := spans[f]
		t := fmt.Sprintf("%s at %.0f–%.0f %% on %d–%d nodes", f, 100*sp.lo, 100*sp.hi, sp.nFrom, sp.nTo)
		if sp.nFrom == sp.nTo {
			t = fmt.Sprintf("%s at %.0f %% on %d nodes", f, 100*sp.lo, sp.nFrom)
		}
		if sp.unsaturated {
			t += fmt.Sprintf(" (below %.0f %% at some: no resource ran full for the whole run)", 100*saturated)
		}
		binds = append(binds, t)
	}
	if len(before) > 0 {
		s += " (before it: " + strings.Join(before, ", ") + ")"
	}
	return s + "; from there on the binding resource is " + strings.Join(binds, ", then ") + "."
}
