package sql

import "github.com/dflab/dflab/engine/port"

// poller is one dispatcher's polling loop with the provider's randomized
// exponential back-off (BackoffPollingHelper): after an empty poll the
// worker waits the current interval, then grows it to min + delta·2^(k-1)
// ·U(0.8, 1.2) (capped at max); a hit or a local wake-up (reset) sets it
// back to min, and a wake-up during a wait ends the wait at once.
type poller struct {
	min, delta, max port.Time
	cur             port.Time
	exp             uint
	signaled        bool
	waiting         port.TimerID // 0: not waiting
}

func newPoller(min, delta, max port.Time) poller { return poller{min: min, delta: delta, max: max} }

// update is the provider's UpdateDelay.
func (p *poller) update(signaled bool, r *xorshift) {
	if signaled {
		p.cur, p.exp = p.min, 1
		return
	}
	if p.cur == p.max {
		return
	}
	next := p.min
	if p.exp > 0 {
		jitter := 0.8 + 0.4*r.float()
		next += port.Time(jitter * float64(uint64(1)<<min(p.exp-1, 40)) * float64(p.delta))
	}
	if next < p.max && next >= p.min {
		p.cur = next
		p.exp++
	} else {
		p.cur = p.max
	}
}

// xorshift is a small seeded generator (xorshift64*) for polling jitter.
type xorshift struct{ s uint64 }

func newXorshift(seed uint64) xorshift {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1
	}
	return xorshift{s: z}
}

func (x *xorshift) next() uint64 {
	x.s ^= x.s >> 12
	x.s ^= x.s << 25
	x.s ^= x.s >> 27
	return x.s * 2685821657736338717
}

// float returns a value in [0, 1).
func (x *xorshift) float() float64 { return float64(x.next()>>11) / (1 << 53) }

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
