package original

import (
	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/port"
)

// queueBackoff is the randomized exponential back-off of an empty queue: the
// first miss waits about min, each further miss doubles the bound up to
// max, a hit resets it. The wait is uniform in [bound/2, bound].
type queueBackoff struct {
	min, max port.Time
	bound    port.Time
}

func newBackoff(min, max port.Time) queueBackoff { return queueBackoff{min: min, max: max} }

// miss returns how long to wait before the next poll.
func (b *queueBackoff) miss(r *backoff.Rand) port.Time {
	if b.bound == 0 {
		b.bound = b.min
	} else {
		b.bound = min(2*b.bound, b.max)
	}
	half := b.bound / 2
	return half + port.Time(r.Intn(int64(b.bound-half)+1))
}

// hit resets the back-off.
func (b *queueBackoff) hit() { b.bound = 0 }

// pollBackoff is the provider's polling back-off of a worker's queue
// (DurableTask.AzureStorage's BackoffPollingHelper over its
// RandomizedExponentialBackoffStrategy, engine/backoff.Backoff): the
// poller sleeps the current gap on an auto-reset event; a batch found
// sets the event (ControlQueue and WorkItemQueue call Reset after a hit),
// so the first empty poll after it polls again at once and sets the gap to
// min; each further empty poll sleeps the gap, then grows it to
// min + min·2^(k-1)·U(0.8, 1.2) up to max. The gaps after a hit are thus
// 0, min, ~2min, ~3min, ~5min, ~9min, ... An enqueue of this process
// wakes a sleeping poller (TaskHubQueue.AddMessageAsync calls Reset):
// woke.
type pollBackoff struct {
	b        backoff.Backoff
	signaled bool
}

func newPollBackoff(min, max port.Time) pollBackoff {
	return pollBackoff{b: backoff.New(min, min, max)}
}

// hit records a poll that found messages (the helper's Reset).
func (p *pollBackoff) hit() { p.signaled = true }

// woke records a wake-up by an enqueue of this process: the sleep (or
// the next one) ends at once and the gap is min again.
func (p *pollBackoff) woke() { p.signaled = false; p.b.Hit() }

// miss returns how long to sleep after an empty poll.
func (p *pollBackoff) miss(r *backoff.Rand) port.Time {
	if p.signaled {
		p.woke()
		return 0
	}
	d := p.b.Gap()
	p.b.Miss(r)
	return d
}
