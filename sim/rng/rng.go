package rng

import (
	"math"
	"math/bits"
)

// Source is a deterministic pseudo-random generator (xoshiro256**) that
// remembers its seed so it can derive named children. It is not safe for
// concurrent use; the simulator is single-threaded.
type Source struct {
	s    [4]uint64
	seed uint64
}

// New returns a Source for seed. Equal seeds give equal streams forever.
func New(seed uint64) *Source {
	r := &Source{}
	r.Reset(seed)
	return r
}

// Reset restarts r as if it had just been created by New(seed).
func (r *Source) Reset(seed uint64) {
	r.seed = seed
	x := seed
	for i := range r.s {
		x += splitmixGamma
		r.s[i] = splitmixMix(x)
	}
	// xoshiro must not start from the all-zero state; SplitMix64 outputs of
	// four consecutive counters are never all zero, but guard anyway.
	if r.s == [4]uint64{} {
		r.s[0] = splitmixGamma
	}
}

// Seed returns the seed r was created with.
func (r *Source) Seed() uint64 { return r.seed }

// Fork returns a new independent Source named name under r. The child's seed
// depends only on r's seed and name (never on how many numbers r has drawn),
// so forks are stable when consumers are added or removed.
func (r *Source) Fork(name string) *Source {
	return New(ForkSeed(r.seed, name))
}

// ForkSeed is the seed Fork(name) gives a child of a Source seeded with
// parent: FNV-1a 64 of name, mixed with the parent seed by SplitMix64.
func ForkSeed(parent uint64, name string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= prime
	}
	return splitmixMix(splitmixMix(parent+splitmixGamma) ^ h)
}

const splitmixGamma = 0x9e3779b97f4a7c15

func splitmixMix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func rotl(x uint64, k uint) uint64 { return (x << k) | (x >> (64 - k)) }

// Uint64 returns the next 64 random bits.
func (r *Source) Uint64() uint64 {
	s := &r.s
	out := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return out
}

// Float64 returns a uniform number in [0, 1) with 53 random bits.
func (r *Source) Float64() float64 {
	return float64(r.Uint64()>>11) * (1.0 / (1 << 53))
}

// Uint64n returns a uniform number in [0, n). It returns 0 when n == 0.
// It uses Lemire's multiply-and-reject method, so it is unbiased.
func (r *Source) Uint64n(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}

// Intn returns a uniform int in [0, n). It returns 0 when n <= 0.
func (r *Source) Intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.Uint64n(uint64(n)))
}

// Int63n returns a uniform int64 in [0, n). It returns 0 when n <= 0.
func (r *Source) Int63n(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(r.Uint64n(uint64(n)))
}

// Bernoulli returns true with probability p (false for p <= 0, true for
// p >= 1).
func (r *Source) Bernoulli(p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return r.Float64() < p
}

// Ratio returns true with probability num/den, exactly (no floating point).
// It returns false when den <= 0 or num <= 0 and true when num >= den.
func (r *Source) Ratio(num, den int64) bool {
	if den <= 0 || num <= 0 {
		return false
	}
	if num >= den {
		return true
	}
	return r.Int63n(den) < num
}

// Exp returns an exponential number with mean 1.
func (r *Source) Exp() float64 {
	// 1-U is in (0, 1], so the log is finite.
	return -ln(1 - r.Float64())
}

// Norm returns a standard normal number (mean 0, standard deviation 1) by
// Marsaglia's polar method, keeping no state between calls (the second
// normal of each pair is not used), so a stream's position depends only on
// the calls made. It uses only portable arithmetic (see fmath.go).
func (r *Source) Norm() float64 {
	for {
		u := 2*r.Float64() - 1
		v := 2*r.Float64() - 1
		s := float64(u*u) + float64(v*v)
		if s < 1 && s > 0 {
			return float64(u * math.Sqrt(float64(-2*ln(s))/s))
		}
	}
}

// Shuffle permutes n elements with swap, uniformly (Fisher-Yates).
func (r *Source) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, r.Intn(i+1))
	}
}
