package figures

import (
	"fmt"
	"math"
	"strings"

	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// scaleOutBody: the single-node table against the paper, the cluster
// table relative to the baseline, and the comparison.
func (v *view) scaleOutBody(m *md) string {
	by := byWorkload(v.okGroups())
	m.p("## Single node: dflab beside the paper (mean ± 95%% CI over the repetitions)")
	var rows [][]string
	ratios := map[string][]float64{}
	speedup := map[string][]float64{} // "dflab"/"paper": Netherite ÷ original per workload × cores
	for _, w := range ThroughputWorkloads {
		for _, e := range []string{spec.EngineOriginal, spec.EngineNetherite} {
			for _, c := range []int{1, 2, 4} {
				st, ok := statOf(by[w], func(s spec.Spec) bool { return s.Engine.Name == e && s.Cluster == spec.Cluster{Nodes: 1, Cores: c} })
				paper := PaperSingleNode[w][e][c]
				ratio := "—"
				if ok && paper > 0 {
					ratio = num(st.Mean/paper) + "×"
					ratios[e] = append(ratios[e], st.Mean/paper)
				}
				rows = append(rows, []string{w, e, fmt.Sprint(c), withCI(st) + " " + unitOf(by[w]) + "/s", num(paper), ratio})
			}
		}
		for _, c := range []int{1, 2, 4} {
			o, okO := statOf(by[w], func(s spec.Spec) bool {
				return s.Engine.Name == spec.EngineOriginal && s.Cluster == spec.Cluster{Nodes: 1, Cores: c}
			})
			n, okN := statOf(by[w], func(s spec.Spec) bool {
				return s.Engine.Name == spec.EngineNetherite && s.Cluster == spec.Cluster{Nodes: 1, Cores: c}
			})
			if okO && okN && o.Mean > 0 {
				speedup["dflab"] = append(speedup["dflab"], n.Mean/o.Mean)
				speedup["paper"] = append(speedup["paper"], PaperSingleNode[w]["netherite"][c]/PaperSingleNode[w]["original"][c])
			}
		}
	}
	m.table([]string{"workload", "engine", "cores", "dflab", "paper", "dflab / paper"}, rows)
	m.p("## All cluster sizes: throughput relative to the original engine on 1 node × 1 core (dflab; the paper's cluster numbers are %s)", PaperNote)
	for _, w := range ThroughputWorkloads {
		m.p("**%s** (baseline: %s %s/s)", w, num(baseline(by[w])), unitOf(by[w]))
		m.table([]string{"engine, cores/node", "1 node", "4 nodes", "8 nodes", "12 nodes"}, relativeRows(by[w]))
	}
	return fmt.Sprintf("On one node dflab's throughput is %s× the paper's for the original engine and %s× for Netherite "+
		"(geometric means over the 12 workload × cores points of each engine), and Netherite's advantage over the original engine "+
		"is %s× in dflab against %s× in the paper. %s; the cluster points have no paper numbers in paper-notes, so only their shape "+
		"(how each engine scales with nodes and cores) can be compared, by eye, with the paper's Fig. 9.",
		num(geoMean(ratios[spec.EngineOriginal])), num(geoMean(ratios[spec.EngineNetherite])),
		num(geoMean(speedup["dflab"])), num(geoMean(speedup["paper"])), calibrationWhy(v.models))
}

func unitOf(gs []results.Group) string {
	for _, g := range gs {
		if len(g.Runs) > 0 {
			return g.Rep().Metrics.Unit
		}
	}
	return "units"
}

// relativeRows are a workload's throughputs relative to its baseline.
func relativeRows(gs []results.Group) [][]string {
	base := baseline(gs)
	var rows [][]string
	for _, e := range []string{spec.EngineOriginal, spec.EngineNetherite} {
		for _, c := range []int{1, 2, 4} {
			row := []string{fmt.Sprintf("%s, %d", e, c)}
			for _, n := range []int{1, 4, 8, 12} {
				st, ok := statOf(gs, func(s spec.Spec) bool { return s.Engine.Name == e && s.Cluster == spec.Cluster{Nodes: n, Cores: c} })
				if !ok || base <= 0 {
					row = append(row, "—")
					continue
				}
				row = append(row, num(st.Mean/base)+"×")
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// speculationBody: throughput per level and the ratios to local.
func (v *view) speculationBody(m *md) string {
	by := byWorkload(v.okGroups())
	var rows [][]string
	var lo, hi = math.Inf(1), math.Inf(-1)
	var apart []string
	for _, w := range ThroughputWorkloads {
		row := []string{w + " (" + unitOf(by[w]) + "/s)"}
		local, okL := statOf(by[w], speculationIs(spec.SpeculationLocal))
		var rel []string
		for _, level := range spec.Speculations {
			st, ok := statOf(by[w], speculationIs(level))
			row = append(row, withCI(st))
			if ok && okL && local.Mean > 0 && level != spec.SpeculationLocal {
				r := st.Mean / local.Mean
				lo, hi = min(lo, r), max(hi, r)
				rel = append(rel, num(r)+"×")
				if math.Abs(r-1) > 0.05 {
					apart = append(apart, w+" "+level)
				}
			}
		}
		rows = append(rows, append(row, strings.Join(rel, " / "), PaperNote))
	}
	m.p("## Throughput by speculation level, Netherite on 8 nodes × 2 cores (mean ± 95%% CI)")
	m.table([]string{"workload", "none", "local", "global", "none / local, global / local", "paper"}, rows)
	beyond := "none"
	if len(apart) > 0 {
		beyond = strings.Join(apart, ", ")
	}
	return fmt.Sprintf("In dflab, no speculation and global speculation reach between %s× and %s× of local speculation's throughput "+
		"across the four workloads, where paper-notes only says the paper's levels were within a few percent of each other "+
		"(it gives no numbers, so there is no ratio to the paper). %s; these runs alone do not say why levels differ by more than "+
		"5%% (%s): a trace of commit waits and cross-partition messages per step is where to look.",
		num(lo), num(hi), calibrationWhy(v.models), beyond)
}

// trafficBody: storage requests and KB per work unit by engine.
func (v *view) trafficBody(m *md) (string, error) {
	by := byWorkload(v.okGroups())
	var rows [][]string
	var fewer []float64
	for _, w := range ThroughputWorkloads {
		var reqs [2]float64
		for i, e := range []string{spec.EngineOriginal, spec.EngineNetherite} {
			t, err := trafficOf(by[w], e)
			if err != nil {
				return "", err
			}
			reqs[i] = t.requests.Mean
			rows = append(rows, []string{w, e, t.unit, withCI(t.requests), withCI(t.kbRead), withCI(t.kbWritten), PaperNote})
		}
		if reqs[1] > 0 {
			fewer = append(fewer, reqs[0]/reqs[1])
		}
	}
	m.p("## Storage traffic per work unit (mean ± 95%% CI over the repetitions)")
	m.table([]string{"workload", "engine", "work unit", "requests / unit", "KB read / unit", "KB written / unit", "paper"}, rows)
	return fmt.Sprintf("The original engine issues %s× as many storage requests per work unit as Netherite here "+
		"(geometric mean over the four workloads); paper-notes gives no Fig. 10 numbers, so there is no ratio to the paper. "+
		"dflab counts every request through backends/meter on the simulator's in-memory store (queue polls, table and blob "+
		"accesses for the original engine; commit-log page writes, checkpoints and stream appends for Netherite), and the "+
		"counts depend on the run sizes and the model set `%s`, not on Azure's service behaviour.", num(geoMean(fewer)), v.models), nil
}

// cdfBody: percentiles per workload and system; Hello3 against the paper.
func (v *view) cdfBody(m *md) (string, error) {
	by := byWorkload(v.okGroups())
	m.p("## Hello3 latency: dflab beside the paper (ms; repetitions' histograms merged)")
	var rows [][]string
	p50 := map[string]float64{}
	for _, g := range by["hello3"] {
		l, err := g.Latency()
		if err != nil {
			return "", err
		}
		sys := System(g.Spec)
		paper, ok := PaperHello3Ms[sys]
		for i, q := range []float64{0.25, 0.5, 0.9, 0.99} {
			d := l.QuantileMs(q)
			pv, ratio := PaperNote, "—"
			if ok {
				pv, ratio = num(paper[i]), num(d/paper[i])+"×"
			}
			rows = append(rows, []string{sys, fmt.Sprintf("p%g", q*100), num(d), pv, ratio})
		}
		p50[sys] = l.QuantileMs(0.5)
	}
	m.table([]string{"system", "percentile", "dflab", "paper", "dflab / paper"}, rows)
	m.p("## Every panel (ms; the paper's numbers for these are %s)", PaperNote)
	rows = nil
	for _, w := range LatencyWorkloads {
		for _, g := range by[w.Name] {
			l, err := g.Latency()
			if err != nil {
				return "", err
			}
			rows = append(rows, []string{w.Name, fmt.Sprintf("%g/s", w.RatePerSec), System(g.Spec), fmt.Sprint(l.Count()),
				num(l.QuantileMs(0.25)), num(l.QuantileMs(0.5)), num(l.QuantileMs(0.9)), num(l.QuantileMs(0.99))})
		}
	}
	m.table([]string{"workload", "rate", "system", "requests", "p25", "p50", "p90", "p99"}, rows)
	m.p("## Cost per 1,000 workflows (USD at the meter's list prices; mean over the repetitions)")
	rows = nil
	for _, w := range LatencyWorkloads {
		for _, g := range by[w.Name] {
			var total, own float64
			for _, r := range g.Runs {
				c := r.Metrics.Cost
				if c == nil || c.Dollars <= 0 {
					continue
				}
				var charges float64
				for _, cl := range []string{"workflow-transitions", "function-executions"} {
					charges += c.Bill.ByClass[meter.Class(cl)]
				}
				total += c.DollarsPer1000Units / float64(len(g.Runs))
				own += c.DollarsPer1000Units * charges / c.Dollars / float64(len(g.Runs))
			}
			rows = append(rows, []string{w.Name, System(g.Spec), fmt.Sprintf("%.4f", total), fmt.Sprintf("%.4f", total-own), fmt.Sprintf("%.4f", own)})
		}
	}
	m.table([]string{"workload", "system", "total", "storage and Event Hubs", "state transitions / function executions"}, rows)
	m.p("Storage requests are priced by backends/meter (its price list is named in every result row); the workflow service's " +
		"state transitions at $0.025 per 1,000 (Standard workflows); the trigger chains' function executions at $0.20 per million " +
		"(Functions Consumption and Lambda requests; compute time is not billed). The Durable Functions engines' function executions " +
		"are not billed (on the paper's Elastic Premium plans they are covered by the instances' hourly price, which no system here is charged). " +
		"The Lambda chain's storage line counts the simulated Lambda service's reads of its event queue, which AWS does not bill.")
	m.p("The trigger chains' latency is not fitted: it is the listeners' algorithms on the model set's storage. The paper's runs date " +
		"from 2020, so its queue chain most likely had the 2020 host's listener (2 s after a hit, about 4 s after a miss, the WebJobs " +
		"SDK's QueuePollingIntervals minimum), not today's (100 ms, about 200 ms): read `queue chain (2020 host)` against the paper. " +
		"Both hosts poll at once a queue they themselves just wrote to (the shared queue watcher), which is why the two are close here. " +
		"Every blob chain hop waits for the next 10 s container scan (the host's blob-written watcher is not modelled); " +
		"every Lambda chain hop for `lambda.eventDelay` (1 s, an assumption).")
	saving := p50[SystemNetheriteNone] - p50[SystemNetheriteLocal]
	paperSaving := PaperHello3Ms[SystemNetheriteNone][1] - PaperHello3Ms[SystemNetheriteLocal][1]
	return fmt.Sprintf("For Hello3, dflab's median latency is %s× the paper's for Netherite with local speculation, %s× without "+
		"pipelining and %s× for the original engine, and pipelining saves %s ms at the median against %s ms in the paper. %s; "+
		"the paper's saving is about one page-blob commit wait per step, dflab's is what the model set's commit latency makes it, "+
		"and the workflow service's one fitted parameter (its time per state transition) is fitted to its Hello3 numbers only.",
		num(p50[SystemNetheriteLocal]/PaperHello3Ms[SystemNetheriteLocal][1]), num(p50[SystemNetheriteNone]/PaperHello3Ms[SystemNetheriteNone][1]),
		num(p50[SystemOriginal]/PaperHello3Ms[SystemOriginal][1]), num(saving), num(paperSaving), calibrationWhy(v.models)), nil
}

// timelineBody: per engine, throughput before and during the outages
// and the recovery time after each fault (from each run's timeline).
func (v *view) timelineBody(m *md) (string, error) {
	times, _, err := faultMarks(v.fig.Faults)
	if err != nil {
		return "", err
	}
	m.p("Fault plan (the markers in the charts):\n\n```\n%s```", v.fig.Faults)
	var rows [][]string
	var sentence []string
	for _, g := range v.okGroups() {
		var before, during, burst, lastMs []float64
		recov := make([][]float64, len(times))
		for _, r := range g.Runs {
			tl := r.Metrics.Timeline
			before = append(before, meanTput(tl, 0, times[0]))
			during = append(during, meanTput(tl, times[0], times[1]))
			burst = append(burst, maxTput(tl, times[1], times[1]+5))
			lastMs = append(lastMs, r.Metrics.LastCompletionMs)
			for i, at := range times {
				rc, ok, err := metrics.RecoveryFromTimeline(fmt.Sprint(at), at*1000, tl, 0.9)
				if err != nil {
					return "", err
				}
				if ok {
					recov[i] = append(recov[i], rc.RecoveryMs/1000)
				}
			}
		}
		b, d, last := mean(before), mean(during), mean(lastMs)/1000
		row := []string{g.Spec.Engine.Name, fmt.Sprint(len(g.Runs)), num(b), num(d), num(mean(burst)), num(last)}
		for i := range times {
			row = append(row, recoveryCell(recov[i], len(g.Runs)))
		}
		rows = append(rows, append(row, PaperNote))
		sentence = append(sentence, fmt.Sprintf("%s keeps %s%% of its pre-fault throughput while node1 is down, peaks at %s× it within 5 s of the restart and completes its last instance at %s s",
			g.Spec.Engine.Name, num(100*d/b), num(mean(burst)/b), num(last)))
	}
	head := []string{"engine", "runs", "throughput before the first crash (/s)", "while node1 is down (/s)", "peak within 5 s of its restart (/s)", "last completion (s)"}
	for _, at := range times {
		head = append(head, fmt.Sprintf("recovery after %gs (s)", at))
	}
	m.p("## Throughput and recovery (means over the repetitions; recovery = time from a fault to the first one-second window back at 90%% of the pre-fault throughput)")
	m.table(append(head, "paper"), rows)
	return fmt.Sprintf("This is a simulator experiment, not one of the paper's figures, so there is no paper number to compare with: %s (means over the repetitions). "+
		"A drop while a node is down followed by a burst at its restart means the crashed node's work waited for the restart instead of "+
		"moving to the survivors within the 10 s outage; nodes join and leave here only by crash and restart, since the fault plans' "+
		"partition moves are not wired into the simulator runs yet.", strings.Join(sentence, "; ")), nil
}

// meanTput is the mean throughput of the windows starting in [from, to) s.
func meanTput(tl []metrics.Window, from, to float64) float64 {
	var xs []float64
	for _, w := range tl {
		if s := w.StartMs / 1000; s >= from && s < to {
			xs = append(xs, w.ThroughputPerSec)
		}
	}
	return mean(xs)
}

// maxTput is the highest throughput of the windows starting in [from, to) s.
func maxTput(tl []metrics.Window, from, to float64) float64 {
	hi := math.NaN()
	for _, w := range tl {
		if s := w.StartMs / 1000; s >= from && s < to && !(w.ThroughputPerSec <= hi) {
			hi = w.ThroughputPerSec
		}
	}
	return hi
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func recoveryCell(xs []float64, runs int) string {
	if len(xs) == 0 {
		return "never (within the run)"
	}
	c := num(mean(xs))
	if len(xs) < runs {
		c += fmt.Sprintf(" (%d of %d runs recovered)", len(xs), runs)
	}
	return c
}
