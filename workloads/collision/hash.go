package collision

// Hash32 is the 32-bit hash searched for: the MurmurHash3 64-bit finalizer
// folded to 32 bits.
func Hash32(x uint64) uint32 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return uint32(x) ^ uint32(x>>32)
}

// searchRange returns the numbers in [from, from+count) whose hash is target,
// ascending.
func searchRange(from, count uint64, target uint32) []uint64 {
	var out []uint64
	for x := from; x < from+count; x++ {
		if Hash32(x) == target {
			out = append(out, x)
		}
	}
	return out
}
