package workflow

import "github.com/dflab/dflab/engine/port"

// bucket is a token bucket in thousandths of a token: Capacity tokens,
// refilled at Refill tokens per second.
type bucket struct {
	capacity, refill int64 // tokens, tokens per second
	milli            int64 // thousandths of a token held
	at               port.Time
	started          bool
}

func newBucket(capacity, refill int64) bucket {
	return bucket{capacity: capacity, refill: refill, milli: capacity * 1000}
}

// take takes n tokens at now, or returns how long to wait until n tokens
// are there (and takes none). n is clamped to the capacity.
func (b *bucket) take(now port.Time, n int64) port.Time {
	if b.capacity <= 0 {
		return 0 // no quota
	}
	if b.started && now > b.at {
		b.milli = min(b.capacity*1000, b.milli+int64(now-b.at)*b.refill/1_000_000)
	}
	b.at, b.started = now, true
	n = min(n, b.capacity) * 1000
	if b.milli >= n {
		b.milli -= n
		return 0
	}
	need := n - b.milli
	return port.Time((need*1_000_000 + b.refill - 1) / b.refill)
}
