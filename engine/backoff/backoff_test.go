package backoff

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func TestBackoffGrowsByDeltaWithJitterUpToMax(t *testing.T) {
	const ms = port.Millisecond
	b, r := New(50*ms, 100*ms, 2*port.Second), NewRand(7)
	require.Equal(t, port.Time(0), b.Gap(), "a new back-off waits for nothing")
	b.Miss(&r)
	require.Equal(t, 50*ms, b.Gap(), "the first miss of a new back-off is the minimum, without a draw")
	for k := 1; k <= 3; k++ {
		b.Miss(&r)
		step := port.Time(1<<(k-1)) * 100 * ms
		require.GreaterOrEqual(t, b.Gap(), 50*ms+step*8/10, "miss %d", k)
		require.LessOrEqual(t, b.Gap(), 50*ms+step*12/10, "miss %d", k)
	}
	for range 10 {
		b.Miss(&r)
	}
	require.Equal(t, 2*port.Second, b.Gap(), "capped at max")
	b.Hit()
	require.Equal(t, 50*ms, b.Gap(), "a hit resets to the minimum")
}

func TestRandReplaysItsSeed(t *testing.T) {
	a, b, c := NewRand(3), NewRand(3), NewRand(4)
	for range 5 {
		x := a.Uint64()
		require.Equal(t, x, b.Uint64())
		require.NotEqual(t, x, c.Uint64())
	}
	z := NewRand(0)
	require.NotZero(t, z.Uint64(), "seed 0 works")
	require.Equal(t, int64(0), a.Intn(0))
	require.Less(t, a.Intn(10), int64(10))
	f := a.Float()
	require.True(t, f >= 0 && f < 1)
}
