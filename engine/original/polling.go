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
