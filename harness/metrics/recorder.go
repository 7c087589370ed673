package metrics

import (
	"fmt"
	"math"
	"time"
)

// Recorder collects instance starts and completions of one run and turns
// them into a Set. Times are offsets from the start of the run.
type Recorder struct {
	clock     Clock
	window    time.Duration
	lat       *Latency
	first     time.Duration
	last      time.Duration
	completed int64
	failed    int64
	windows   map[int64]*windowAcc
}

type windowAcc struct {
	completed int64
	lat       *Latency
}

// NewRecorder returns a recorder on clock; window > 0 also records a
// timeline of windows of that width (by completion time).
func NewRecorder(clock Clock, window time.Duration) (*Recorder, error) {
	if _, err := ParseClock(string(clock)); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if window < 0 {
		return nil, fmt.Errorf("metrics: timeline window %v: allowed >= 0", window)
	}
	return &Recorder{clock: clock, window: window, lat: NewLatency(),
		first: math.MaxInt64, windows: map[int64]*windowAcc{}}, nil
}

// Complete records an instance that started at start and completed at end.
func (r *Recorder) Complete(start, end time.Duration) {
	r.completed++
	r.first = min(r.first, start)
	r.last = max(r.last, end)
	r.lat.Record(end - start)
	if r.window > 0 {
		k := int64(end / r.window)
		w := r.windows[k]
		if w == nil {
			w = &windowAcc{lat: NewLatency()}
			r.windows[k] = w
		}
		w.completed++
		w.lat.Record(end - start)
	}
}

// Fail records an instance that failed (it does not count as work done).
func (r *Recorder) Fail() { r.failed++ }

// Latency is the histogram of completed instances so far.
func (r *Recorder) Latency() *Latency { return r.lat }

// Set returns the metrics so far for a work unit named unit worth
// perInstance units per completed instance. Storage, cost, CPU and
// recovery are the runner's to fill.
func (r *Recorder) Set(unit string, perInstance float64) (Set, error) {
	s := Set{Clock: r.clock, Unit: unit, Completed: r.completed, Failed: r.failed}
	if r.completed > 0 {
		s.WorkUnits = float64(r.completed) * perInstance
		s.FirstStartMs, s.LastCompletionMs = durMs(r.first), durMs(r.last)
		s.ThroughputPerSec = Throughput(s.WorkUnits, s.FirstStartMs, s.LastCompletionMs)
	}
	lat, err := r.lat.Summary()
	if err != nil {
		return Set{}, err
	}
	s.Latency = lat
	s.Timeline = r.timeline(perInstance)
	return s, nil
}

// Window is one window of the timeline.
type Window struct {
	StartMs          float64 `json:"startMs"`
	Completed        int64   `json:"completed"`
	ThroughputPerSec float64 `json:"throughputPerSec"`
	LatencyP50Ms     float64 `json:"latencyP50Ms"`
	LatencyP99Ms     float64 `json:"latencyP99Ms"`
}

// timeline lists every window from the first to the last completion,
// including empty ones (a stall shows as zero throughput).
func (r *Recorder) timeline(perInstance float64) []Window {
	if r.window <= 0 || len(r.windows) == 0 {
		return nil
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for k := range r.windows {
		lo, hi = min(lo, k), max(hi, k)
	}
	secs := r.window.Seconds()
	out := make([]Window, 0, hi-lo+1)
	for k := lo; k <= hi; k++ {
		w := Window{StartMs: durMs(time.Duration(k) * r.window)}
		if acc := r.windows[k]; acc != nil {
			w.Completed = acc.completed
			w.ThroughputPerSec = float64(acc.completed) * perInstance / secs
			w.LatencyP50Ms, w.LatencyP99Ms = acc.lat.QuantileMs(0.5), acc.lat.QuantileMs(0.99)
		}
		out = append(out, w)
	}
	return out
}

func durMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
