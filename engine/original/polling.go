package original

import "github.com/dflab/dflab/engine/port"

// backoff is the randomized exponential back-off of an empty queue: the
// first miss waits about min, each further miss doubles the bound up to
// max, a hit resets it. The wait is uniform in [bound/2, bound].
type backoff struct {
	min, max port.Time
	bound    port.Time
}

func newBackoff(min, max port.Time) backoff { return backoff{min: min, max: max} }

// miss returns how long to wait before the next poll.
func (b *backoff) miss(r *xorshift) port.Time {
	if b.bound == 0 {
		b.bound = b.min
	} else {
		b.bound = min(2*b.bound, b.max)
	}
	half := b.bound / 2
	return half + port.Time(r.intn(int64(b.bound-half)+1))
}

// hit resets the back-off.
func (b *backoff) hit() { b.bound = 0 }
