package inject

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim/rng"
)

// Config configures an Injector.
type Config struct {
	// Plan is the fault plan (nil or empty: inject nothing).
	Plan *plan.Plan
	// Clock returns the current time: the simulator's virtual clock, or
	// the wall clock of a real run. Required.
	Clock func() port.Time
	// Start is the run's start on Clock: plan times and windows are
	// relative to it.
	Start port.Time
	// Rand is the root of every random decision; the injector forks one
	// named substream per plan line and op kind from it. Required.
	Rand *rng.Source
	// Sleep, for real runs, waits d (or until ctx is done) and is how the
	// decorator applies latency and stream-delay faults. Leave it nil under
	// the simulator: the decorator then ignores those faults, and the
	// simulator applies them to its latency model through Latency.
	Sleep func(ctx context.Context, d port.Time) error
}

// Injector applies a plan's faults. It is safe for concurrent use (real
// backends call it from many goroutines); under the single-threaded
// simulator its decisions are deterministic for a given seed and plan.
type Injector struct {
	cfg   Config
	lines []line

	mu     sync.Mutex
	counts map[countKey]int64
}

// line is one storage or stream fault of the plan with its random
// substreams, one per op kind, created on first use.
type line struct {
	f       plan.Fault
	name    string
	streams map[string]*rng.Source
}

// New validates cfg and returns an injector.
func New(cfg Config) (*Injector, error) {
	if cfg.Clock == nil {
		return nil, errors.New("inject.New: Config.Clock is nil, want the run's clock")
	}
	if cfg.Rand == nil {
		return nil, errors.New("inject.New: Config.Rand is nil, want a seeded *rng.Source")
	}
	if cfg.Plan == nil {
		cfg.Plan = &plan.Plan{}
	}
	if err := cfg.Plan.Validate(); err != nil {
		return nil, fmt.Errorf("inject.New: %w", err)
	}
	in := &Injector{cfg: cfg, counts: map[countKey]int64{}}
	seen := map[string]int{}
	for _, f := range cfg.Plan.Faults {
		if !f.Kind.Storage() && !f.Kind.Stream() {
			continue
		}
		// Substreams are named by the line's text (and its occurrence), not
		// its index, so adding or moving other lines shifts nothing.
		text := f.String()
		seen[text]++
		name := "faults/" + text + "#" + strconv.Itoa(seen[text])
		in.lines = append(in.lines, line{f: f, name: name, streams: map[string]*rng.Source{}})
	}
	return in, nil
}

// now returns run time: Clock minus Start.
func (in *Injector) now() port.Time { return in.cfg.Clock() - in.cfg.Start }

// applies reports whether l applies to op kind at run time t.
func (l *line) applies(kind string, t port.Time) bool {
	if !l.f.Window.Contains(t) {
		return false
	}
	if l.f.Kind.Stream() {
		return kind == "stream-append"
	}
	return plan.MatchOps(l.f.Ops, kind)
}

// hit draws l's coin for one request of op kind; callers hold in.mu.
func (in *Injector) hit(l *line, kind string) bool {
	r := l.streams[kind]
	if r == nil {
		r = in.cfg.Rand.Fork(l.name + "/" + kind)
		l.streams[kind] = r
	}
	return r.Bernoulli(l.f.P)
}

// decision is what happens to one request.
type decision struct {
	fail     *Error       // return this instead of applying
	after    *Error       // apply, then return this
	factor   float64      // latency multiplier (1: none)
	delay    port.Time    // stream delay before applying
	dup      bool         // append the batch twice
	latFault []plan.Fault // latency faults to count once slept
}

// decide draws every applicable line's coin for one request of op kind
// (every line draws, hit or not, so lines never shift each other) and
// resolves the hits: throttle, then error, then error-after; latency
// factors multiply, stream delays add. Latency and delay lines are drawn
// here only when latency is true (the decorator with a Sleep, or the
// simulator's Latency hook); the others only when it is false.
func (in *Injector) decide(kind string, latency bool) decision {
	d := decision{factor: 1}
	t := in.now()
	in.mu.Lock()
	defer in.mu.Unlock()
	for i := range in.lines {
		l := &in.lines[i]
		isLat := l.f.Kind == plan.Latency || l.f.Kind == plan.DelayStream
		if isLat != latency || !l.applies(kind, t) || !in.hit(l, kind) {
			continue
		}
		switch l.f.Kind {
		case plan.Throttle:
			if d.fail == nil || d.fail.Fault.Kind != plan.Throttle {
				d.fail = &Error{Op: kind, Fault: l.f}
			}
		case plan.StorageError:
			if d.fail == nil {
				d.fail = &Error{Op: kind, Fault: l.f}
			}
		case plan.StorageErrorAfter:
			if d.after == nil {
				d.after = &Error{Op: kind, Fault: l.f, Applied: true}
			}
		case plan.Latency:
			d.factor *= l.f.Factor
			d.latFault = append(d.latFault, l.f)
		case plan.DelayStream:
			d.delay += l.f.Delay
			d.latFault = append(d.latFault, l.f)
		case plan.DuplicateStream:
			d.dup = true
		}
	}
	return d
}

// countKey identifies a counter: a fault kind and what it hit (an op kind,
// a node or a partition).
type countKey struct {
	fault plan.Kind
	what  string
}

func (in *Injector) count(k plan.Kind, what string) {
	in.mu.Lock()
	in.counts[countKey{k, what}]++
	in.mu.Unlock()
}

// Count is the number of times one fault kind took effect on one op kind,
// node or partition.
type Count struct {
	Fault plan.Kind `json:"fault"`
	What  string    `json:"what"` // op kind, node name or partition (p3)
	N     int64     `json:"n"`
}

// Counts are an injector's counts, sorted by fault kind then What.
type Counts []Count

// Total sums the counts of one fault kind.
func (c Counts) Total(k plan.Kind) int64 {
	var n int64
	for _, x := range c {
		if x.Fault == k {
			n += x.N
		}
	}
	return n
}

// Counts returns how often each fault took effect so far.
func (in *Injector) Counts() Counts {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(Counts, 0, len(in.counts))
	for k, n := range in.counts {
		out = append(out, Count{Fault: k.fault, What: k.what, N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Fault != out[j].Fault {
			return out[i].Fault < out[j].Fault
		}
		return out[i].What < out[j].What
	})
	return out
}
