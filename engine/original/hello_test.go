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
