package chain

import "github.com/dflab/dflab/engine/port"

// backoff is the hosts' RandomizedExponentialBackoffStrategy: a hit sets
// the gap to min; each miss sets it to min + min·2^(k-1)·U(0.8, 1.2) for
// the k-th miss in a row, until that reaches max, which it then stays at.
type backoff struct {
	min, max port.Time
	cur      port.Time
	exp      uint
}

func newBackoff(min, max port.Time) backoff { return backoff{min: min, max: max, cur: min, exp: 1} }

// next returns the gap before the next poll after a poll that found
// something (hit) or nothing.
func (b *backoff) next(hit bool, r *xorshift) port.Time {
	if hit {
		b.cur, b.exp = b.min, 1
		return b.cur
	}
	if b.cur == b.max {
		return b.cur
	}
	d := b.min
	if b.exp > 0 {
		d += port.Time((0.8 + 0.4*r.float()) * float64(uint64(1)<<min(b.exp-1, 40)) * float64(b.min))
	}
	if d < b.max {
		b.cur = d
		b.exp++
	} else {
		b.cur = b.max
	}
	return b.cur
}

// xorshift is a small seeded generator (xorshift64*) for polling jitter:
// engine code may not use math/rand, and the jitter must replay exactly.
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
