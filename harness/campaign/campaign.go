package campaign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness/simrun"
)

// CheckDeterminism is the campaign's own checker: a seed run twice gives
// the same trace hash. CheckHarness is a run that failed before any
// checker could judge it (a draw the runner rejects).
const (
	CheckDeterminism = "same-trace"
	CheckHarness     = "harness"
)

// Config configures a campaign.
type Config struct {
	// From is the first seed; Seeds how many consecutive seeds run.
	From, Seeds uint64
	Setup
	// TwiceEvery runs every n-th seed twice and compares the trace hashes
	// (0: every 10th; negative: never).
	TwiceEvery int
	// StopAfter stops the campaign after this many violations (0: never).
	StopAfter int
	// Log, if set, receives one line per violation as it happens.
	Log io.Writer
	// Workers is how many seeds run at once (0: one). Seeds are taken in
	// in seed order, so the summary, the log and StopAfter do not depend
	// on it.
	Workers int
	// SeedDone, if set, is called as each seed is taken in, in seed order,
	// with that seed's simulator events and the violations so far.
	SeedDone func(events int64, violations int)
}

// Violation is one failed check of one seed.
type Violation struct {
	Seed    uint64
	Checker string
	Case    string // the case's configuration (Case.Describe)
	Message string
	Repro   string // the one command that reproduces it
}

// Summary is what a campaign did.
type Summary struct {
	From, Seeds, Ran uint64 // Ran: seeds that drew an engine the planted bug applies to
	Twice            int    // seeds run twice
	Events           int64
	Faults           map[plan.Kind]int64
	// Workloads counts the seeds run per workload.
	Workloads  map[string]int
	Violations []Violation
	Wall       time.Duration
}

// ByChecker counts the violations per checker.
func (s *Summary) ByChecker() map[string]int {
	out := map[string]int{}
	for _, v := range s.Violations {
		out[v.Checker]++
	}
	return out
}

// Checkers lists every checker a campaign reports, in report order.
func Checkers() []string {
	return append(append([]string(nil), simrun.Checkers...), CheckDeterminism, CheckHarness)
}

// PlantedEngines returns the systems of the setup that have planted bug
// name, or an error listing every planted bug.
func (su Setup) PlantedEngines(name string) ([]string, error) {
	var out, all []string
	for _, sys := range su.systems().All() {
		if slices.Contains(sys.Planted, name) {
			out = append(out, sys.Name)
		}
		if len(sys.Planted) > 0 {
			all = append(all, fmt.Sprintf("%s (%s)", strings.Join(sys.Planted, ", "), sys.Name))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("planted bug %q: allowed: %s", name, strings.Join(all, ", "))
	}
	return out, nil
}

func (c *Config) normalize() error {
	known := c.systems().Names()
	if len(c.Engines) == 0 {
		c.Engines = c.drawable()
	}
	for _, e := range c.Engines {
		if !slices.Contains(known, e) {
			return fmt.Errorf("engine %q: allowed: %s", e, strings.Join(known, ", "))
		}
	}
	if err := c.Setup.Check(); err != nil {
		return err
	}
	if c.Planted != "" {
		es, err := c.PlantedEngines(c.Planted)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(es, func(e string) bool { return slices.Contains(c.Engines, e) }) {
			return fmt.Errorf("planted bug %q is in %s, which the campaign does not draw (engines: %s)",
				c.Planted, strings.Join(es, ", "), strings.Join(c.Engines, ", "))
		}
	}
	if c.TwiceEvery == 0 {
		c.TwiceEvery = 10
	}
	return nil
}

// Run runs a campaign: every seed in [From, From+Seeds) is drawn and run
// with its fault plan, and every checker judges it. A cancelled context
// stops it: the summary holds the seeds finished in order before that,
// the error is the context's, and a seed cut short is no violation.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	if err := cfg.normalize(); err != nil {
		return Summary{}, fmt.Errorf("campaign: %w", err)
	}
	start := time.Now()
	sum := Summary{From: cfg.From, Seeds: cfg.Seeds, Faults: map[plan.Kind]int64{}, Workloads: map[string]int{}}
	run, stop := context.WithCancel(ctx)
	defer stop()
	next, done := make(chan uint64), make(chan seedResult)
	var wg sync.WaitGroup
	for range max(cfg.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range next {
				done <- runSeed(run, seed, cfg)
			}
		}()
	}
	go func() {
		defer close(next)
		for seed := cfg.From; seed < cfg.From+cfg.Seeds; seed++ {
			select {
			case next <- seed:
			case <-run.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(done)
	}()
	var err error
	stopped := false // StopAfter reached, or a seed failed to draw
	pending, want := map[uint64]seedResult{}, cfg.From
	for r := range done {
		pending[r.seed] = r
		for r, ok := pending[want]; ok; r, ok = pending[want] {
			delete(pending, want)
			want++
			if stopped || err != nil {
				continue
			}
			if r.err != nil {
				err, stopped = r.err, !errors.Is(r.err, context.Canceled)
				stop()
				continue
			}
			sum.add(r, cfg)
			if cfg.StopAfter > 0 && len(sum.Violations) >= cfg.StopAfter {
				stopped = true
				stop()
			}
		}
	}
	sum.Wall = time.Since(start)
	if err == nil && !stopped {
		err = ctx.Err() // cancelled between seeds
	}
	return sum, err
}

// seedResult is what one seed did.
type seedResult struct {
	seed     uint64
	workload string
	ran      bool // false: the planted bug does not apply to its engine
	twice    bool
	outcome  simrun.Outcome
	vs       []Violation
	err      error // the draw failed or the run was cut short
}

// add takes in one seed's result.
func (s *Summary) add(r seedResult, cfg Config) {
	if r.ran {
		s.Ran++
		s.Workloads[r.workload]++
		s.Events += r.outcome.Events
		for _, f := range r.outcome.Faults {
			s.Faults[f.Fault] += f.N
		}
	}
	if r.twice {
		s.Twice++
	}
	for _, v := range r.vs {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "VIOLATION seed %d [%s] %s: %s\n  repro: %s\n", v.Seed, v.Checker, v.Case, v.Message, v.Repro)
		}
	}
	s.Violations = append(s.Violations, r.vs...)
	if cfg.SeedDone != nil {
		cfg.SeedDone(r.outcome.Events, len(s.Violations))
	}
}

// runSeed draws and runs one case (twice if the seed is one of every
// TwiceEvery) and judges it.
func runSeed(ctx context.Context, seed uint64, cfg Config) seedResult {
	r := seedResult{seed: seed}
	c, err := Draw(seed, cfg.Setup)
	if err != nil {
		r.err = err
		return r
	}
	if cfg.Planted != "" && !c.plants(cfg.Planted) {
		return r
	}
	r.ran, r.workload = true, c.Spec.Workload.Name
	out, err := RunCase(ctx, c, cfg.Planted)
	if ctx.Err() != nil {
		r.err = ctx.Err()
		return r
	}
	r.outcome = out
	violation := func(checker string, msg string) {
		r.vs = append(r.vs, Violation{Seed: c.Seed, Checker: checker, Case: c.Describe(), Message: msg,
			Repro: cfg.Setup.ReproCommand(c.Seed)})
	}
	if err != nil {
		checker := simrun.Checker(err)
		if checker == "" {
			checker = CheckHarness
		}
		violation(checker, err.Error())
	}
	if cfg.TwiceEvery > 0 && (seed-cfg.From)%uint64(cfg.TwiceEvery) == 0 {
		r.twice = true
		again, _ := RunCase(ctx, c, cfg.Planted)
		if ctx.Err() != nil {
			r.err = ctx.Err()
			return r
		}
		if again.TraceHash != out.TraceHash {
			violation(CheckDeterminism, fmt.Sprintf("trace hash %s, then %s", out.TraceHash, again.TraceHash))
		}
	}
	return r
}

// RunOption changes how RunCase runs a case without changing the case.
type RunOption func(*simrun.Options)

// WithTrace writes the simulator's canonical trace to w.
func WithTrace(w io.Writer) RunOption { return func(o *simrun.Options) { o.Trace = w } }

// RunCase runs one case with its safety and heal phases.
func RunCase(ctx context.Context, c Case, planted string, opts ...RunOption) (simrun.Outcome, error) {
	o := c.options(planted)
	for _, f := range opts {
		f(&o)
	}
	return simrun.RunWith(ctx, c.Spec, c.Seed, o)
}

// options are the runner's options for a case.
func (c Case) options(planted string) simrun.Options {
	o := simrun.Options{HealAt: SafetyPhase, HealBudget: HealBudget, Planted: planted, ReplayCheck: true,
		Systems: c.Setup.systems(), Workloads: c.Setup.workloads()}
	if sys, err := o.Systems.Lookup(c.Spec.Engine.Name); err == nil {
		o.Settle = sys.Settle
	}
	return o
}

// plants reports whether the case's system has planted bug name.
func (c Case) plants(name string) bool {
	sys, err := c.Setup.systems().Lookup(c.Spec.Engine.Name)
	return err == nil && slices.Contains(sys.Planted, name)
}

// ReproCommand is the one command that re-runs seed exactly as a
// campaign with this setup ran it. It names what the replay needs: the
// program (which registers the systems and workloads), and the systems
// and workloads the seed drew from when they are not the built-in ones.
func (su Setup) ReproCommand(seed uint64) string {
	program := su.Program
	if program == "" {
		program = "dflab"
	}
	cmd := fmt.Sprintf("%s repro --seed %d", program, seed)
	if engines := su.engines(); !slices.Equal(engines, (Setup{}).drawable()) {
		cmd += " --engines " + strings.Join(engines, ",")
	}
	if names := su.workloads().Names(); !slices.Equal(names, builtinWorkloads.Names()) {
		cmd += " --workloads " + strings.Join(names, ",")
	}
	if su.Planted != "" {
		cmd += " --planted " + su.Planted
	}
	return cmd
}
