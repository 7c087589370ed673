package backoff

// Rand is a small seeded generator (xorshift64*, seeded through one
// splitmix64 round so that nearby seeds give unrelated streams and 0
// works) for polling jitter.
type Rand struct{ s uint64 }

// NewRand returns the generator of seed.
func NewRand(seed uint64) Rand {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1
	}
	return Rand{s: z}
}

// Uint64 returns the next value.
func (x *Rand) Uint64() uint64 {
	x.s ^= x.s >> 12
	x.s ^= x.s << 25
	x.s ^= x.s >> 27
	return x.s * 2685821657736338717
}

// Float returns a value in [0, 1).
func (x *Rand) Float() float64 { return float64(x.Uint64()>>11) / (1 << 53) }

// Intn returns a value in [0, n); n <= 0 gives 0 without a draw.
func (x *Rand) Intn(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(x.Uint64() % uint64(n))
}
