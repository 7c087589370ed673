package original

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// TestHello5Throughput reports simulated Hello5 throughput as the paper
// measures it: N orchestrations started at once, N / (last completion -
// first start), completion times taken from the Instances rows. The
// storage model is testModels' (median ~6 ms per request), not a
// calibrated one, so the figure is indicative only; it is logged, not
// asserted.
func TestHello5Throughput(t *testing.T) {
	if testing.Short() {
		t.Skip("figure run")
	}
	for _, shape := range []struct{ nodes, n int }{{1, 300}, {4, 600}} {
		t.Run(fmt.Sprintf("nodes=%d", shape.nodes), func(t *testing.T) {
			c := newCluster(t, clusterOpts{seed: 9, nodes: shape.nodes, reg: helloRegistry(t),
				config: func(c *Config) { c.ControlQueues = 12 }})
			c.d.RunUntil(t0 + port.Second) // setup and leases
			start := c.k.Now()
			var waits []port.CallID
			for i := 0; i < shape.n; i++ {
				id := fmt.Sprintf("h%d", i)
				c.start(start, id, "Hello5", nil)
				waits = append(waits, c.wait(start+10*ms, id))
			}
			c.runUntilAnswered(3600*port.Second, waits...)
			var last int64
			for _, id := range waits {
				st := c.status(id)
				require.Equal(t, durable.StatusCompleted, st.Status)
				last = max(last, st.Updated.UnixNano())
			}
			secs := float64(last-int64(start)) / 1e9
			t.Logf("Hello5 x%d on %d node(s) x 2 cores, C=12: %.1f orchestrations/s (%.2f s virtual), %d requests",
				shape.n, shape.nodes, float64(shape.n)/secs, secs, c.meter.Snapshot().Total().Requests)
		})
	}
}
