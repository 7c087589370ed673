package sql

import (
	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/port"
)

// poller is one dispatcher's polling loop with the provider's randomized
// exponential back-off (BackoffPollingHelper, engine/backoff): after an empty poll the
// worker waits the current interval, then grows it to min + delta·2^(k-1)
// ·U(0.8, 1.2) (capped at max); a hit or a local wake-up (reset) sets it
// back to min, and a wake-up during a wait ends the wait at once.
type poller struct {
	backoff.Backoff
	signaled bool
	waiting  port.TimerID // 0: not waiting
}

func newPoller(min, delta, max port.Time) poller {
	return poller{Backoff: backoff.New(min, delta, max)}
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
