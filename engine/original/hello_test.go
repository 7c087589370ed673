package original

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

func TestHello5OnTwoNodes(t *testing.T) {
	c := newCluster(t, clusterOpts{seed: 1, nodes: 2, reg: helloRegistry(t)})
	const n = 20
	var waits []port.CallID
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("hello%d", i)
		c.start(t0+port.Time(i)*ms, id, "Hello5", nil)
		waits = append(waits, c.wait(t0+port.Time(i)*ms+10*ms, id))
	}
	c.runUntilAnswered(600*port.Second, waits...)
	for _, id := range waits {
		st := c.status(id)
		require.Equal(t, durable.StatusCompleted, st.Status, "%s: %s", st.InstanceID, st.Failure)
		var out []string
		require.NoError(t, durable.Unmarshal(st.Output, &out))
		require.Equal(t, hello5Out, out)
	}
	owned := append(c.worker(0).Owned(), c.worker(1).Owned()...)
	require.ElementsMatch(t, []int{0, 1, 2, 3}, owned, "each control queue owned by one node")
	require.NotEmpty(t, c.worker(0).Owned())
	require.NotEmpty(t, c.worker(1).Owned())
	require.Empty(t, c.d.Violations())
}

// MaxSessions bounds concurrent instance steps, BufferThreshold the
// dequeued messages held in memory; work beyond them waits and completes.
func TestSessionAndBufferLimits(t *testing.T) {
	c := newCluster(t, clusterOpts{seed: 5, nodes: 1, reg: helloRegistry(t), config: func(c *Config) {
		c.MaxSessions, c.BufferThreshold, c.BatchSize = 2, 8, 4
	}})
	var waits []port.CallID
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("lim%d", i)
		c.start(t0, id, "Hello5", nil)
		waits = append(waits, c.wait(t0+10*ms, id))
	}
	c.runUntilAnswered(600*port.Second, waits...)
	for _, id := range waits {
		require.Equal(t, durable.StatusCompleted, c.status(id).Status)
	}
	st := c.worker(0).Stats()
	require.Equal(t, 2, st.PeakSessions)
	// A dequeue starts only below the threshold; the 4 control queues may
	// each have one in flight.
	require.LessOrEqual(t, st.PeakBuffered, 8-1+4*4)
}

// Node1 crashes; node0 takes its control queues once the leases expire;
// node1 restarts and steals its share back; work started afterwards runs.
func TestLeasesRebalanceAfterRestart(t *testing.T) {
	c := newCluster(t, clusterOpts{seed: 6, nodes: 2, reg: helloRegistry(t)})
	c.d.CrashAt(t0+100*ms, c.nodes[1])
	c.d.RunUntil(t0 + 120*port.Second)
	require.Len(t, c.worker(0).Owned(), 4, "node0 took over every control queue")
	c.d.RestartAt(t0+120*port.Second, c.nodes[1])
	c.d.RunUntil(t0 + 180*port.Second)
	require.Len(t, c.worker(0).Owned(), 2)
	require.Len(t, c.worker(1).Owned(), 2)
	require.Positive(t, c.worker(1).Stats().LeasesStolen)
	var waits []port.CallID
	for i := 0; i < 10; i++ {
		id := fmt.Sprintf("after%d", i)
		c.start(c.k.Now(), id, "Hello5", nil)
		waits = append(waits, c.wait(c.k.Now()+10*ms, id))
	}
	c.runUntilAnswered(120*port.Second, waits...)
	for _, id := range waits {
		require.Equal(t, durable.StatusCompleted, c.status(id).Status)
	}
}
