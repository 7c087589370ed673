package original

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
)

// TestClientWakeSkipsBackoff: after 20 s idle a control queue's poller
// sleeps seconds between polls; a Wake for that queue (a client in the
// worker's process enqueued on it) makes the worker poll at once, so the
// start's first step runs within a few storage round trips, while
// without it the message waits for the back-off.
func TestClientWakeSkipsBackoff(t *testing.T) {
	firstStep := func(wake bool) port.Time {
		c := newCluster(t, clusterOpts{seed: 3, nodes: 1, reg: helloRegistry(t)})
		if wake {
			c.d.OnCompletion(func(_ port.Time, core sim.CoreID, op port.Op, err error) {
				if enq, ok := op.(port.QueueEnqueue); ok && core == c.client && err == nil {
					c.d.Send(c.nodes[0], c.workers[0], port.ClientCall{Req: Wake{Queue: enq.Queue}})
				}
			})
		}
		c.d.RunUntil(t0 + 20*port.Second)
		require.Zero(t, c.worker(0).Stats().Steps)
		at := t0 + 20*port.Second
		c.start(at, "idle1", "Hello5", nil)
		for c.worker(0).Stats().Steps == 0 {
			require.Less(t, c.k.Now(), at+60*port.Second, "no step within 60 s")
			c.d.RunUntil(c.k.Now() + ms)
		}
		require.Equal(t, wake, c.worker(0).Stats().Wakes > 0)
		return c.k.Now() - at
	}
	woken, slept := firstStep(true), firstStep(false)
	require.Less(t, woken, 50*ms, "a woken poller dequeues the start at once")
	require.Greater(t, slept, 500*ms, "an idle poller finds it after its back-off")
	require.Equal(t, woken, firstStep(true), "deterministic")
}

// TestWakeForQueueNotOwnedIsIgnored: a Wake for a queue the worker does
// not own (or the work-item queue while a poll is under way) asks for
// nothing it would not ask for anyway.
func TestWakeForQueueNotOwnedIsIgnored(t *testing.T) {
	w, err := NewWorker(Defaults("hub", "w0"), helloRegistry(t))
	require.NoError(t, err)
	w.Step(t0, port.ClientCall{ID: 1, Req: Wake{Queue: "hub-control-02"}})
	rd := w.Ready()
	require.Empty(t, rd.Requests)
	require.Empty(t, rd.Responses, "a Wake is not answered")
	require.Equal(t, 1, w.Stats().Wakes)
}

// TestPollBackoffIsTheProvidersHelper: the gaps of an empty queue follow
// DurableTask.AzureStorage's BackoffPollingHelper: after a batch found,
// one poll at once, then min, then min + min·2^(k-1)·U(0.8, 1.2), capped;
// a wake sets the gap to min again without the extra poll.
func TestPollBackoffIsTheProvidersHelper(t *testing.T) {
	r := backoff.NewRand(9)
	p := newPollBackoff(50*ms, 30*port.Second)
	require.Equal(t, port.Time(0), p.miss(&r), "a fresh poller polls again at once")
	require.Equal(t, 50*ms, p.miss(&r))
	p.hit()
	require.Equal(t, port.Time(0), p.miss(&r), "after a hit: the helper's event is set")
	require.Equal(t, 50*ms, p.miss(&r))
	for k := 1; k <= 8; k++ {
		d := p.miss(&r)
		inc := float64(uint64(50*ms) << (k - 1))
		require.GreaterOrEqual(t, float64(d), float64(50*ms)+0.8*inc-1, "miss %d", k)
		require.LessOrEqual(t, float64(d), float64(50*ms)+1.2*inc+1, "miss %d", k)
	}
	for i := 0; i < 20; i++ {
		p.miss(&r)
	}
	require.Equal(t, 30*port.Second, p.miss(&r), "capped at max")
	p.woke()
	require.Equal(t, 50*ms, p.miss(&r), "a wake: min, no extra poll")
}
