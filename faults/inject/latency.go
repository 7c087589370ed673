package inject

import (
	"math"

	"github.com/dflab/dflab/engine/port"
)

// Latency is the simulator's hook for latency faults: given the service
// latency d its model sampled for a request of op kind issued now, it
// returns the latency with the plan's faults applied (d times every hit
// latency multiplier, plus every hit stream delay) and counts them.
//
// The simulator must not run latency faults through the decorator: Apply
// happens at completion time there, and virtual time stands still during
// it. Instead the sim glue creates the Injector without Sleep and calls
// Latency where the driver samples a request's duration (sim.Driver's
// issue: done = start + Latency(kind, model sample)); that needs a hook in
// sim.Config, e.g. LatencyHook func(kind string, d port.Time) port.Time.
// Per-object FIFO completion then makes a slow request delay the requests
// queued behind it on the same object, as a real slow service would.
func (in *Injector) Latency(kind string, d port.Time) port.Time {
	lat := in.decide(kind, true)
	for _, f := range lat.latFault {
		in.count(f.Kind, kind)
	}
	if lat.factor > 1 {
		x := float64(d) * lat.factor
		if x > math.MaxInt64/2 {
			x = math.MaxInt64 / 2
		}
		d = port.Time(x)
	}
	return d + lat.delay
}
