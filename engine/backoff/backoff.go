package backoff

import "github.com/dflab/dflab/engine/port"

// Backoff is a randomized exponential back-off: a hit sets the gap to Min;
// the k-th miss in a row sets it to Min + Delta·2^(k-1)·U(0.8, 1.2) until
// that reaches Max, which it then stays at. A new Backoff has gap 0 and
// its first miss gives Min without a draw (a Hit first makes the first
// miss grow at once).
type Backoff struct {
	min, delta, max port.Time
	cur             port.Time
	exp             uint
}

// New returns a back-off growing by delta from min up to max.
func New(min, delta, max port.Time) Backoff { return Backoff{min: min, delta: delta, max: max} }

// Gap is the current gap before the next poll.
func (b *Backoff) Gap() port.Time { return b.cur }

// Hit records a poll that found something: the gap is Min again.
func (b *Backoff) Hit() { b.cur, b.exp = b.min, 1 }

// Miss records a poll that found nothing and grows the gap.
func (b *Backoff) Miss(r *Rand) {
	if b.cur == b.max {
		return
	}
	next := b.min
	if b.exp > 0 {
		jitter := 0.8 + 0.4*r.Float()
		next += port.Time(jitter * float64(uint64(1)<<min(b.exp-1, 40)) * float64(b.delta))
	}
	if next < b.max && next >= b.min {
		b.cur = next
		b.exp++
	} else {
		b.cur = b.max
	}
}
