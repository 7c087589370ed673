package realrun

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim/rng"
)

// A real run's fault plan. Storage and stream lines go through the same
// injector (faults/inject) as on the simulator, as middleware in front of
// the real backend, on the wall clock from the run's start (the origin of
// the arrivals): a latency multiplier sleeps, an error fails the request
// before the backend sees it, an error-after applies it and then fails it.
// Timed lines fire on wall-clock timers from the same origin: in one
// process, crash and restart stop a node's cores abruptly and start new
// ones that recover from storage (host.Driver.Crash, Restart); in a
// cluster they go to the supervisor (Cluster.Control), which SIGKILLs and
// restarts the worker process of the node.

// Run time before the run's start is negative: only whole-run lines apply.
const beforeStart = port.Time(time.Hour)

// parsePlan parses spec.faults and checks every line against what this
// run can carry out: a line it cannot honour is an error naming it.
func parsePlan(text string, nodes int, crashable bool, movable func(p int) bool, cluster *Cluster) (*plan.Plan, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	p, err := plan.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("spec.faults: %w", err)
	}
	where := "a real run in one process"
	if cluster != nil {
		where = "a cluster's load"
	}
	for _, f := range p.Faults {
		why := ""
		switch {
		case f.Kind == plan.Move && cluster != nil:
			why = "a cluster's partitions move by the workers' placement, not by the plan"
		case f.Kind == plan.Move && movable == nil:
			why = "the engine's partitions do not move (systems.RealMoves)"
		case f.Kind == plan.Move && !movable(f.Partition):
			why = fmt.Sprintf("partition p%d: the engine has no such partition", f.Partition)
		case f.Kind == plan.LeaseLoss:
			why = "lease loss runs on the simulator only"
		case f.Kind.AtCrash():
			why = "crash effects on storage (torn tails, lost unsynced writes) need the simulator's mem backend"
		case cluster != nil && f.Kind.Stream():
			why = "stream faults are not forwarded to the workers (storage faults are)"
		case f.Kind.Timed() && cluster != nil && cluster.Control == nil:
			why = "crash and restart need the cluster's supervisor (dflab load --cluster DIR)"
		case f.Kind.Timed() && cluster == nil && !crashable:
			why = "the engine does not place its cores on nodes (systems.RealNodes)"
		case f.Kind.Timed():
			n := nodes
			if cluster != nil {
				n = len(cluster.Nodes)
			}
			if k, ok := nodeIndex(f.Node); !ok || k >= n {
				why = fmt.Sprintf("node %q: allowed node0..node%d", f.Node, n-1)
			}
		}
		if why != "" {
			return nil, fmt.Errorf("spec.faults: line %q: %s cannot carry it out: %s", f.String(), where, why)
		}
	}
	return p, nil
}

// nodeIndex is k of "nodeK".
func nodeIndex(name string) (int, bool) {
	k, err := strconv.Atoi(strings.TrimPrefix(name, "node"))
	return k, err == nil && strings.HasPrefix(name, "node") && k >= 0
}

// faults is a real run's plan under way.
type faults struct {
	plan   *plan.Plan
	inj    *inject.Injector
	origin atomic.Int64 // wall clock (Unix ns) of the run's start

	mu      sync.Mutex
	pending []timed // scheduled before the start
	timers  []*time.Timer
	fired   sync.WaitGroup // the timed lines not fired yet
	events  []string       // what each timed line did, when
}

type timed struct {
	at port.Time
	do func()
}

func newFaults(p *plan.Plan, seed uint64) (*faults, error) {
	f := &faults{plan: p}
	f.origin.Store(time.Now().Add(time.Duration(beforeStart)).UnixNano())
	in, err := inject.New(inject.Config{Plan: p, Clock: f.now, Rand: rng.New(seed).Fork("faults"), Sleep: sleep})
	if err != nil {
		return nil, fmt.Errorf("spec.faults: %w", err)
	}
	f.inj = in
	return f, nil
}

// now is run time: wall time since the origin.
func (f *faults) now() port.Time { return port.Time(time.Now().UnixNano() - f.origin.Load()) }

func sleep(ctx context.Context, d port.Time) error {
	t := time.NewTimer(time.Duration(d))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// schedule hands the plan's timed lines to target; they fire once start
// has set the origin.
func (f *faults) schedule(target inject.Target) error {
	return f.inj.Schedule(func(at port.Time, do func()) {
		f.pending = append(f.pending, timed{at, do})
	}, target)
}

// start sets the run's origin and starts the timers of the timed lines.
func (f *faults) start(t0 time.Time) {
	f.origin.Store(t0.UnixNano())
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pending {
		f.fired.Add(1)
		f.timers = append(f.timers, time.AfterFunc(time.Until(t0.Add(time.Duration(p.at))), func() {
			defer f.fired.Done()
			p.do()
		}))
	}
}

// wait waits until every timed line has fired (a restart after the last
// instance finished must still happen before the checkers read state), or
// ctx ends.
func (f *faults) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { f.fired.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// stop cancels the timed lines not fired yet.
func (f *faults) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.timers {
		t.Stop()
	}
}

// record notes what a timed line did, at run time.
func (f *faults) record(format string, args ...any) {
	at := time.Duration(f.now()).Round(time.Millisecond)
	f.mu.Lock()
	f.events = append(f.events, fmt.Sprintf("fault at %v: %s", at, fmt.Sprintf(format, args...)))
	f.mu.Unlock()
}

// notes are the row's notes on the plan: each timed line's effect and the
// injector's counts.
func (f *faults) notes() []string {
	f.mu.Lock()
	out := append([]string(nil), f.events...)
	f.mu.Unlock()
	var counts []string
	for _, c := range f.inj.Counts() {
		counts = append(counts, fmt.Sprintf("%s %s %d", c.Fault, c.What, c.N))
	}
	if len(counts) == 0 {
		counts = []string{"none"}
	}
	return append(out, "faults injected in this process: "+strings.Join(counts, ", "))
}

// coreTarget crashes and restarts the cores of a node in this process,
// and moves partitions between nodes.
type coreTarget struct {
	f       *faults
	crash   func(core string) error
	restart func(core string) error
	move    func(ctx context.Context, p int) (core string, err error)

	mu    sync.Mutex // timed lines of one time fire on goroutines of their own
	cores [][]string // by node
}

func (t *coreTarget) each(node string, what string, do func(string) error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k, _ := nodeIndex(node)
	var errs []string
	for _, c := range t.cores[k] {
		if err := do(c); err != nil {
			errs = append(errs, err.Error())
		}
	}
	msg := fmt.Sprintf("%s %s (cores %s)", what, node, strings.Join(t.cores[k], " "))
	if len(errs) > 0 {
		msg += ": " + strings.Join(errs, "; ")
	}
	t.f.record("%s", msg)
}

func (t *coreTarget) Crash(node string)   { t.each(node, "crash", t.crash) }
func (t *coreTarget) Restart(node string) { t.each(node, "restart", t.restart) }

// Move stops partition p gracefully and recovers it in a new core, which
// then counts as node's (a later crash of node crashes it).
func (t *coreTarget) Move(p int, node string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	core, err := t.move(ctx, p)
	if err != nil {
		t.f.record("move p%d %s: %v", p, node, err)
		return
	}
	k, _ := nodeIndex(node)
	for n := range t.cores {
		t.cores[n] = slices.DeleteFunc(t.cores[n], func(c string) bool { return c == core })
	}
	t.cores[k] = append(t.cores[k], core)
	t.f.record("move p%d %s (core %s stopped gracefully and recovered; %s hosts %s)", p, node, core, node, strings.Join(t.cores[k], " "))
}

// LoseLease is refused by parsePlan.
func (t *coreTarget) LoseLease(int) {}

// clusterTarget sends crash and restart of a node's worker process to the
// cluster's supervisor.
type clusterTarget struct {
	f *faults
	c *Cluster
}

func (t *clusterTarget) send(verb, node string) {
	k, _ := nodeIndex(node)
	reply, err := t.c.Control(verb + " " + t.c.Nodes[k])
	if err != nil {
		reply = "failed: " + err.Error()
	}
	t.f.record("%s %s (worker %s): %s", verb, node, t.c.Nodes[k], reply)
}

func (t *clusterTarget) Crash(node string)   { t.send("crash", node) }
func (t *clusterTarget) Restart(node string) { t.send("restart", node) }
func (t *clusterTarget) Move(int, string)    {}
func (t *clusterTarget) LoseLease(int)       {}
