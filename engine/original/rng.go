package original

// xorshift is a small seeded generator (xorshift64*) for polling jitter:
// engine code may not use math/rand, and the jitter must replay exactly.
type xorshift struct{ s uint64 }

func newXorshift(seed uint64) xorshift {
	// splitmix64 once, so that nearby seeds give unrelated streams and 0 works.
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

// intn returns a value in [0, n); n <= 0 gives 0.
func (x *xorshift) intn(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(x.next() % uint64(n))
}
