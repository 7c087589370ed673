package calibrate

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/workloads/workload"
	"gonum.org/v1/gonum/stat"
)

// turn is one measured core turn: the wall time of its Steps, Ready and
// Advance on this machine, and how many of each cost key it did (the keys
// the simulator's CPU model charges: "input:<kind>" per Step,
// "work:<kind>" per unit of port.Work).
type turn struct {
	ns     float64
	counts map[string]float64
}

// timedCore passes every call through to a real engine core and times it.
type timedCore struct {
	inner port.Core
	turns *[]turn
	cur   turn
}

func (c *timedCore) Step(now port.Time, in port.Input) {
	t0 := time.Now()
	c.inner.Step(now, in)
	c.add(t0, "input:"+port.InputKind(in), 1)
}

func (c *timedCore) Ready() port.Ready {
	t0 := time.Now()
	rd := c.inner.Ready()
	c.cur.ns += float64(time.Since(t0))
	for _, w := range rd.Work {
		c.add(time.Now(), "work:"+w.Kind, float64(w.N))
	}
	return rd
}

func (c *timedCore) Advance(rd port.Ready) {
	t0 := time.Now()
	c.inner.Advance(rd)
	c.cur.ns += float64(time.Since(t0))
	if len(c.cur.counts) > 0 {
		*c.turns = append(*c.turns, c.cur)
	}
	c.cur = turn{}
}

// Close closes the inner core if it holds resources.
func (c *timedCore) Close() {
	if cl, ok := c.inner.(port.Closer); ok {
		cl.Close()
	}
}

func (c *timedCore) add(t0 time.Time, key string, n float64) {
	c.cur.ns += float64(time.Since(t0))
	if c.cur.counts == nil {
		c.cur.counts = map[string]float64{}
	}
	c.cur.counts[key] += n
}

// measureSpecs are the runs whose core turns are timed: the throughput
// workloads on one node of one core, so every engine step kind occurs.
func measureSpecs(engine string, z Size, seed uint64) []spec.Spec {
	var out []spec.Spec
	for _, w := range []string{"hello5", "bank", "wordcount"} {
		s := base(engine, 1, 1, seed)
		s.Workload, s.Load = throughputLoad(w, z)
		out = append(out, s)
	}
	return out
}

// Measurement is the CPU cost of each step kind of one engine's real
// cores on this machine, in microseconds: the median over Runs runs of a
// least-squares fit of turn wall times on step-kind counts.
type Measurement struct {
	Engine string             `json:"engine"`
	Runs   int                `json:"runs"`
	Turns  int                `json:"turns"` // timed turns per run (the last run)
	Us     map[string]float64 `json:"us"`    // µs per step kind on the measuring machine
}

// Measure times the real cores of engine on the measurement workloads runs
// times and returns the median cost per step kind. models are the
// (uncalibrated) models the runs use; they only shape which turns occur.
func Measure(ctx context.Context, engine string, z Size, runs int, models *sim.ModelSet) (Measurement, error) {
	if runs < 1 {
		return Measurement{}, fmt.Errorf("measure: runs = %d, want >= 1", runs)
	}
	perKey := map[string][]float64{}
	m := Measurement{Engine: engine, Runs: runs}
	for r := range runs {
		var turns []turn
		wrap := func(_ string, c port.Core) port.Core { return &timedCore{inner: c, turns: &turns} }
		for _, s := range measureSpecs(engine, z, uint64(r)+1) {
			rs, err := s.Resolve()
			if err != nil {
				return Measurement{}, err
			}
			if _, err := simrun.RunWith(ctx, rs, rs.Seed, simrun.Options{Models: models, WrapCore: wrap}); err != nil {
				return Measurement{}, fmt.Errorf("measure %s %s: %w", engine, s.Workload.Name, err)
			}
		}
		costs := fitTurns(turns)
		for k, v := range costs {
			perKey[k] = append(perKey[k], v/1e3)
		}
		m.Turns = len(turns)
	}
	m.Us = map[string]float64{}
	for k, vs := range perKey {
		m.Us[k] = median(vs)
	}
	return m, nil
}

// fitTurns returns the non-negative cost per key (ns) that best explains
// the turns' times in least squares, after dropping the slowest 1% of
// turns (preempted or collecting garbage on a shared machine).
func fitTurns(turns []turn) map[string]float64 {
	if len(turns) == 0 {
		return nil
	}
	byTime := make([]float64, len(turns))
	for i, t := range turns {
		byTime[i] = t.ns
	}
	limit := quantile(byTime, 0.99)
	keySet := map[string]bool{}
	for _, t := range turns {
		for k := range t.counts {
			keySet[k] = true
		}
	}
	keys := workload.Keys(keySet)
	idx := map[string]int{}
	for i, k := range keys {
		idx[k] = i
	}
	n := len(keys)
	gram := make([][]float64, n)
	for i := range gram {
		gram[i] = make([]float64, n)
	}
	rhs := make([]float64, n)
	for _, t := range turns {
		if t.ns > limit {
			continue
		}
		for ka, a := range t.counts {
			rhs[idx[ka]] += a * t.ns
			for kb, b := range t.counts {
				gram[idx[ka]][idx[kb]] += a * b
			}
		}
	}
	x := nnls(gram, rhs, 500)
	out := map[string]float64{}
	for i, k := range keys {
		out[k] = x[i]
	}
	return out
}

// nnls minimises ½xᵀGx − bᵀx over x >= 0 (least squares in normal form)
// by cyclic coordinate descent, which converges for a positive
// semi-definite G.
func nnls(g [][]float64, b []float64, sweeps int) []float64 {
	x := make([]float64, len(b))
	for range sweeps {
		for i := range x {
			if g[i][i] <= 0 {
				continue
			}
			r := b[i]
			for j := range x {
				if j != i {
					r -= g[i][j] * x[j]
				}
			}
			x[i] = max(0, r/g[i][i])
		}
	}
	return x
}

func median(xs []float64) float64 { return quantile(xs, 0.5) }

// quantile is the empirical q-quantile of xs (xs is not changed).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return stat.Quantile(q, stat.Empirical, s, nil)
}
