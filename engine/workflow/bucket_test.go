package workflow

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func TestBucketRefillsAndSaysHowLongToWait(t *testing.T) {
	b := newBucket(3, 2) // 3 tokens, 2 per second
	for i := 0; i < 3; i++ {
		require.Zero(t, b.take(0, 1))
	}
	require.Equal(t, 500*port.Millisecond, b.take(0, 1), "one token takes half a second")
	require.Equal(t, 250*port.Millisecond, b.take(250*port.Millisecond, 1), "half a token is there")
	require.Zero(t, b.take(500*port.Millisecond, 1))
	require.Zero(t, b.take(10*port.Second, 3), "refilled to the capacity, not beyond")
	require.Equal(t, 1500*port.Millisecond, b.take(10*port.Second, 5), "a take beyond the capacity waits for a full bucket")
	none := newBucket(0, 0)
	require.Zero(t, none.take(0, 1_000_000), "capacity 0: no quota")
}

func TestConfigNamesBadFields(t *testing.T) {
	cfg := Defaults("hub", nil)
	require.ErrorContains(t, cfg.Validate(), "Config.Definitions is empty")
	cfg.Hub = "a/b"
	require.ErrorContains(t, cfg.Validate(), `Config.Hub = "a/b"`)
}
