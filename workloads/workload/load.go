package workload

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
)

// LoadKind is how instances are started.
type LoadKind string

// Load kinds.
const (
	// Closed starts Instances instances at once (offset 0), as the paper's
	// throughput runs do.
	Closed LoadKind = "closed"
	// Open starts instances at RatePerSec for Duration, as the paper's
	// latency runs do.
	Open LoadKind = "open"
)

// Spacing is how open-loop arrivals are spaced.
type Spacing string

// Spacings.
const (
	// Poisson spaces arrivals by exponential gaps of mean 1/rate.
	Poisson Spacing = "poisson"
	// Fixed spaces arrivals exactly 1/rate apart, the first at offset 0.
	Fixed Spacing = "fixed"
)

// MaxArrivals bounds the size of one schedule.
const MaxArrivals = 10_000_000

// Load describes when instances start.
type Load struct {
	Kind       LoadKind      `json:"kind"`
	Instances  int           `json:"instances,omitempty"`  // closed
	RatePerSec float64       `json:"ratePerSec,omitempty"` // open
	Duration   time.Duration `json:"duration,omitempty"`   // open
	Spacing    Spacing       `json:"spacing,omitempty"`    // open; default poisson
}

// ClosedLoad starts n instances at once.
func ClosedLoad(n int) Load { return Load{Kind: Closed, Instances: n} }

// OpenLoad starts instances at rate per second for d, spaced by s.
func OpenLoad(rate float64, d time.Duration, s Spacing) Load {
	return Load{Kind: Open, RatePerSec: rate, Duration: d, Spacing: s}
}

// Validate reports the first field out of range.
func (l Load) Validate() error {
	switch l.Kind {
	case Closed:
		if l.Instances < 1 || l.Instances > MaxArrivals {
			return fmt.Errorf("load field instances = %d: must be 1..%d for a closed loop", l.Instances, MaxArrivals)
		}
	case Open:
		if !(l.RatePerSec > 0) || math.IsInf(l.RatePerSec, 0) {
			return fmt.Errorf("load field ratePerSec = %v: must be a finite number > 0 for an open loop", l.RatePerSec)
		}
		if l.Duration <= 0 {
			return fmt.Errorf("load field duration = %v: must be > 0 for an open loop", l.Duration)
		}
		if n := l.RatePerSec * l.Duration.Seconds(); n > MaxArrivals {
			return fmt.Errorf("load ratePerSec × duration = %.0f arrivals: at most %d", n, MaxArrivals)
		}
		switch l.Spacing {
		case "", Poisson, Fixed:
		default:
			return fmt.Errorf("load field spacing = %q: want %q or %q", l.Spacing, Poisson, Fixed)
		}
	default:
		return fmt.Errorf("load field kind = %q: want %q or %q", l.Kind, Closed, Open)
	}
	return nil
}

// Arrival is one client request at a virtual offset from the start of the
// run. Instance is the workload instance the request belongs to.
type Arrival struct {
	At       time.Duration
	Instance int
	Req      durable.ClientRequest
}

// Generate returns the schedule of w under load, in offset order. Arrival
// times come from src.Fork("arrivals") and instance i's choices from
// src.Fork("instance/<i>"), so the same seed gives the same schedule and
// one instance's choices do not depend on how many others there are.
func Generate(w Workload, load Load, src *rng.Source) ([]Arrival, error) {
	if err := load.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", w.Name(), err)
	}
	times := offsets(load, src.Fork("arrivals"))
	var out []Arrival
	for i, at := range times {
		reqs, err := w.Instance(i, src.Fork("instance/"+strconv.Itoa(i)))
		if err != nil {
			return nil, fmt.Errorf("%s instance %d: %w", w.Name(), i, err)
		}
		for _, r := range reqs {
			out = append(out, Arrival{At: at, Instance: i, Req: r})
		}
	}
	return out, nil
}

// offsets returns the start offsets of a validated load.
func offsets(load Load, r *rng.Source) []time.Duration {
	if load.Kind == Closed {
		return make([]time.Duration, load.Instances)
	}
	var out []time.Duration
	if load.Spacing == Fixed {
		gap := 1e9 / load.RatePerSec
		for k := 0; ; k++ {
			at := time.Duration(math.Round(float64(k) * gap))
			if at >= load.Duration {
				return out
			}
			out = append(out, at)
		}
	}
	t := 0.0 // seconds
	for {
		t += r.Exp() / load.RatePerSec
		at := time.Duration(t * 1e9)
		if at >= load.Duration {
			return out
		}
		out = append(out, at)
	}
}
