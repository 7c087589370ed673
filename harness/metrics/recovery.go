package metrics

import "fmt"

// RecoveryFromTimeline measures recovery from a fault at atMs on a
// timeline: the time from the fault to the start of the first window
// after it whose throughput is back to at least fraction (0..1] of the
// mean throughput of the windows before the fault. ok is false when there
// is no window before the fault (no baseline) or throughput never
// recovers within the timeline.
func RecoveryFromTimeline(fault string, atMs float64, timeline []Window, fraction float64) (r Recovery, ok bool, err error) {
	if !(fraction > 0 && fraction <= 1) {
		return Recovery{}, false, fmt.Errorf("metrics: recovery fraction %v: allowed 0 < fraction <= 1", fraction)
	}
	var sum float64
	var n int
	width := windowMs(timeline)
	for _, w := range timeline {
		if w.StartMs+width <= atMs { // whole window before the fault
			sum += w.ThroughputPerSec
			n++
		}
	}
	if n == 0 || sum == 0 {
		return Recovery{}, false, nil
	}
	target := fraction * sum / float64(n)
	for _, w := range timeline {
		if w.StartMs >= atMs && w.ThroughputPerSec >= target {
			return Recovery{Fault: fault, AtMs: atMs, RecoveryMs: w.StartMs - atMs}, true, nil
		}
	}
	return Recovery{}, false, nil
}

// windowMs is a timeline's window width (its first two windows' spacing;
// a one-window timeline has no width, so nothing counts as before a fault).
func windowMs(timeline []Window) float64 {
	if len(timeline) < 2 {
		return 1e300
	}
	return timeline[1].StartMs - timeline[0].StartMs
}
