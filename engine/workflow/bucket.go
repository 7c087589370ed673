package workflow

import "github.com/dflab/dflab/engine/port"

// bucket is a token bucket of Capacity tokens refilled at Refill tokens
// per second, kept exactly in billionths of a token (so that refill is
// exact per nanosecond and no fraction is ever lost).
type bucket struct {
	capacity, refill int64 // tokens, tokens per second
	nano             int64 // billionths of a token held
	at               port.Time
	started          bool
}

const perToken = 1_000_000_000

func newBucket(capacity, refill int64) bucket {
	return bucket{capacity: capacity, refill: refill, nano: capacity * perToken}
}

// take takes n tokens at now, or returns how long to wait until n tokens
// are there (and takes none). n is clamped to the capacity.
func (b *bucket) take(now port.Time, n int64) port.Time {
	if b.capacity <= 0 {
		return 0 // no quota
	}
	full := b.capacity * perToken
	if b.started && now > b.at {
		if el := int64(now - b.at); el >= (full-b.nano)/b.refill+1 {
			b.nano = full
		} else {
			b.nano = min(full, b.nano+el*b.refill)
		}
	}
	b.at, b.started = max(now, b.at), true
	want := min(n, b.capacity) * perToken
	if b.nano >= want {
		b.nano -= want
		return 0
	}
	return port.Time((want - b.nano + b.refill - 1) / b.refill)
}
