package ablation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/dflab/dflab/harness/calibrate"
	"github.com/dflab/dflab/harness/figures"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
)

// Config is one ablation.
type Config struct {
	Models string         // the model set every variant starts from
	Size   calibrate.Size // scale of the calibration runs (as a fit's)
	Seed   uint64         // seed of the calibration runs (Fig. 9's are the figure's)
	Nodes  []int          // Fig. 9 cluster sizes
	Cores  int            // cores per node of the Fig. 9 runs
	Scale  float64        // Fig. 9 load scale (1: the paper's sizes)
	Only   []string       // features to run (nil: every one)
	Jobs   int            // simulator runs at once
	// Progress, if set, receives a line after each variant.
	Progress func(line string)
}

// DefaultConfig is what `dflab ablation` runs.
func DefaultConfig() Config {
	return Config{Models: figures.Models, Size: calibrate.PaperSize, Seed: 1, Nodes: []int{1, 4, 8, 12}, Cores: 4, Scale: 1, Jobs: 2}
}

// Row is one variant's fit and one of its Fig. 9 points.
type Row struct {
	Feature    string
	Hypothesis int
	Off        string
	// Fit of the calibration set: the objective (sum of ln(dflab/paper)²),
	// the worst target's factor and how many targets are within ±25 %.
	Objective  float64
	WorstRatio float64
	WorstID    string
	Within25   int
	Targets    int
	// The Fig. 9 Hello5 point.
	Engine           string
	Nodes, Cores     int
	Instances        int
	ThroughputPerSec float64
	Bound            string // "kind name" of the binding resource
	BoundUtilisation float64
}

// TargetRow is one calibration target under one variant.
type TargetRow struct {
	Feature, Target, Unit string
	Paper, Dflab, Ratio   float64
}

// Run measures the baseline and every feature of c.Only turned off alone.
func Run(ctx context.Context, c Config) ([]Row, []TargetRow, error) {
	base, err := simrun.ModelSet(c.Models)
	if err != nil {
		return nil, nil, err
	}
	variants := []Feature{{Name: Baseline}}
	for _, f := range Features {
		if len(c.Only) == 0 || slices.Contains(c.Only, f.Name) {
			variants = append(variants, f)
		}
	}
	for _, name := range c.Only {
		if !slices.Contains(Names(), name) {
			return nil, nil, fmt.Errorf("ablation: feature %q is not one of %v", name, Names())
		}
	}
	var rows []Row
	var trows []TargetRow
	for _, f := range variants {
		m := edited(base, f)
		fit, tr, err := c.fit(ctx, f, m)
		if err != nil {
			return nil, nil, err
		}
		pts, err := c.fig9(ctx, f, m)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range pts {
			r := fit
			r.Engine, r.Nodes, r.Cores, r.Instances = p.Engine, p.Nodes, p.Cores, p.Instances
			r.ThroughputPerSec, r.Bound, r.BoundUtilisation = p.ThroughputPerSec, p.Bound, p.BoundUtilisation
			rows = append(rows, r)
		}
		trows = append(trows, tr...)
		if c.Progress != nil {
			c.Progress(fmt.Sprintf("ablation: %s off: objective %.3f, worst %.2fx (%s), %d/%d within ±25%%", f.Name, fit.Objective, fit.WorstRatio, fit.WorstID, fit.Within25, fit.Targets))
		}
	}
	return rows, trows, nil
}

// edited is a copy of base with f turned off.
func edited(base *sim.ModelSet, f Feature) *sim.ModelSet {
	m := *base
	m.Caps = append([]sim.Cap(nil), base.Caps...)
	m.Host.WorkerKinds = append([]string(nil), base.Host.WorkerKinds...)
	m.Host.ItemKinds = append([]string(nil), base.Host.ItemKinds...)
	if f.models != nil {
		f.models(&m)
	}
	return &m
}

// fit scores the calibration set under m with f's spec edit.
func (c Config) fit(ctx context.Context, f Feature, m *sim.ModelSet) (Row, []TargetRow, error) {
	targets := calibrate.Targets(c.Size, c.Seed)
	if f.spec != nil {
		for i := range targets {
			f.spec(&targets[i].Spec)
		}
	}
	ev, err := calibrate.NewEvaluator(targets, c.Jobs)
	if err != nil {
		return Row{}, nil, err
	}
	vals, err := ev.Values(ctx, m)
	if ctx.Err() != nil {
		return Row{}, nil, ctx.Err()
	}
	_ = err // a failed target is scored as failed (calibrate.Objective)
	r := Row{Feature: f.Name, Hypothesis: f.Hypothesis, Off: f.Off, Objective: calibrate.Objective(ev.Paper(), vals),
		Targets: len(targets), WorstRatio: 1}
	var out []TargetRow
	for i, t := range targets {
		ratio := vals[i] / t.Paper
		out = append(out, TargetRow{Feature: f.Name, Target: t.ID, Unit: t.Unit, Paper: t.Paper, Dflab: vals[i], Ratio: ratio})
		off := math.Inf(1)
		if ratio > 0 {
			off = max(ratio, 1/ratio)
		}
		if off > r.WorstRatio {
			r.WorstRatio, r.WorstID = off, t.ID
		}
		if ratio >= 0.75 && ratio <= 1.25 {
			r.Within25++
		}
	}
	return r, out, nil
}

// point is one Fig. 9 run's outcome.
type point struct {
	Engine                  string
	Nodes, Cores, Instances int
	ThroughputPerSec        float64
	Bound                   string
	BoundUtilisation        float64
}

// fig9 runs Fig. 9's Hello5 points of c's shape under m with f's spec
// edit, one repetition each.
func (c Config) fig9(ctx context.Context, f Feature, m *sim.ModelSet) ([]point, error) {
	fig, err := figures.ByID(figures.Config{Models: c.Models, Repetitions: 1, Scale: c.Scale}, "fig9")
	if err != nil {
		return nil, err
	}
	all, err := fig.Expand()
	if err != nil {
		return nil, err
	}
	var specs []spec.Spec
	for _, s := range all {
		if s.Workload.Name != "hello5" || s.Cluster.Cores != c.Cores || !slices.Contains(c.Nodes, s.Cluster.Nodes) {
			continue
		}
		if f.spec != nil {
			f.spec(&s)
			if s, err = s.Resolve(); err != nil {
				return nil, fmt.Errorf("ablation %s: %w", f.Name, err)
			}
		}
		specs = append(specs, s)
	}
	out := make([]point, len(specs))
	errs := make([]error, len(specs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(c.Jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s := specs[i]
				o, err := simrun.RunWith(ctx, s, s.Seed, simrun.Options{Models: m})
				out[i], errs[i] = pointOf(s, o.Metrics), err
			}
		}()
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("ablation %s: %s %dx%d: %w", f.Name, specs[i].Engine.Name, specs[i].Cluster.Nodes, specs[i].Cluster.Cores, err)
		}
	}
	slices.SortStableFunc(out, func(a, b point) int {
		if a.Engine != b.Engine {
			return -cmpStr(a.Engine, b.Engine) // original before netherite
		}
		return a.Nodes - b.Nodes
	})
	return out, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func pointOf(s spec.Spec, m metrics.Set) point {
	p := point{Engine: s.Engine.Name, Nodes: s.Cluster.Nodes, Cores: s.Cluster.Cores, Instances: s.Load.Instances, ThroughputPerSec: m.ThroughputPerSec}
	if m.Bound != nil {
		p.Bound, p.BoundUtilisation = m.Bound.String(), m.Bound.Utilisation
	}
	return p
}
