package chain

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/port"
)

// The listeners' back-off as the hosts document it: the current host polls
// 100 ms after a hit and about 200 ms after a first miss, the 2020 host 2 s
// and about 4 s; the gap grows exponentially (±20 %) to maxPollingInterval
// and falls back to the minimum at the next hit.
func TestBackoffFollowsTheHostsDefaults(t *testing.T) {
	ms := func(t port.Time) float64 { return float64(t) / float64(port.Millisecond) }
	for _, c := range []struct {
		version string
		hit     float64
	}{{HostCurrent, 100}, {Host2020, 2000}} {
		l := ListenerDefaults(c.version, 2)
		b := listenerBackoff(l.MinPoll, l.MaxPoll)
		r := backoff.NewRand(1)
		next := func(hit bool) port.Time {
			if hit {
				b.Hit()
			} else {
				b.Miss(&r)
			}
			return b.Gap()
		}
		require.Equal(t, c.hit, ms(next(true)), c.version)
		first := ms(next(false))
		require.InDelta(t, 2*c.hit, first, 0.2*c.hit+1, "%s: about twice the minimum after a miss", c.version)
		second := ms(next(false))
		require.InDelta(t, 3*c.hit, second, 0.4*c.hit+1, c.version)
		for range 40 {
			next(false)
		}
		require.Equal(t, 60_000.0, ms(next(false)), "capped at maxPollingInterval")
		require.Equal(t, c.hit, ms(next(true)), "a hit resets it")
	}
	require.Equal(t, 16, ListenerDefaults(HostCurrent, 2).NewBatchThreshold, "N·batchSize/2 for N cores")
	require.Equal(t, 8, ListenerDefaults(Host2020, 4).NewBatchThreshold, "batchSize/2")
	require.Equal(t, 5, ListenerDefaults(HostCurrent, 1).MaxDequeueCount)
}

func TestConfigErrorsNameTheField(t *testing.T) {
	c := Defaults("hub", TriggerQueue, map[string]string{"Sequence": "SequenceStep"}, 1)
	require.NoError(t, c.Validate())
	bad := c
	bad.Trigger = "http"
	require.EqualError(t, bad.Validate(), `chain: Config.Trigger = "http": allowed queue, blob, lambda`)
	bad = c
	bad.Queue.BatchSize = 33
	require.EqualError(t, bad.Validate(), "chain: Config.Queue.BatchSize = 33: want 1..32")
	bad = c
	bad.Hub = "Hub_1"
	require.ErrorContains(t, bad.Validate(), "Config.Hub")
}
