package original

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// Storage requests of one Hello5 orchestration, extended sessions off.
//
// The orchestration takes 6 steps (the start, then one per activity
// result); each step is 1 control-queue dequeue that returns its message,
// 1 history table query (full replay), the outbound enqueues (steps 1-5
// each schedule one activity: 1 enqueue to the work-item queue; step 6
// completes and sends nothing), 1 history batch transaction (the new rows
// plus the sentinel, conditioned on its ETag), 1 Instances row write and 1
// message delete. The row write of the first step replaces the row (an
// upsert); the later ones merge into it, conditioned on the ETag of the
// previous write (the provider merges unconditionally: see updateInstance;
// the same one request). Each of the 5 activities is 1 work-item dequeue,
// 1 enqueue of the result to the control queue and 1 work-item delete. The
// client's start is 1 Instances read (an unfinished instance may not be
// started again), 1 enqueue, then 1 Instances insert (the Pending row). So
// per orchestration:
//
//	queue-dequeue      6 + 5 = 11 (plus empty polls)
//	queue-enqueue  1 + 5 + 5 = 11
//	queue-delete       6 + 5 = 11
//	table-query            6
//	table-batch            6
//	table-upsert           1 (first step)
//	table-merge            5 (later steps)
//	table-insert           1 (client start)
//	table-get          1 + the client's wait polls (time-driven)
//	queue-update           0 (no message arrives before its history)
//
// i.e. 53 requests besides polling. Empty polls (dequeues returning
// nothing) and lease renewals are time-driven, counted by the worker's
// Stats and checked separately.
var hello5Requests = map[string]int64{
	"queue-dequeue": 11, "queue-enqueue": 11, "queue-delete": 11, "table-query": 6,
	"table-batch": 6, "table-upsert": 1, "table-merge": 5, "table-insert": 1,
}

func TestHello5RequestCounts(t *testing.T) {
	for _, n := range []int{1, 10} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) { hello5Counts(t, n, false) })
	}
	// With extended sessions the executor and history stay in memory after
	// the first step: 1 history query per orchestration instead of 6.
	t.Run("extended", func(t *testing.T) { hello5Counts(t, 1, true) })
}

func hello5Counts(t *testing.T, n int, extended bool) {
	c := newCluster(t, clusterOpts{seed: 7, nodes: 1, reg: helloRegistry(t),
		config: func(c *Config) { c.ExtendedSessions = extended }})
	c.d.RunUntil(t0 + 500*ms) // setup and leases
	require.Len(t, c.worker(0).Owned(), 4)
	c.meter.Reset()
	before := c.worker(0).Stats()
	start := c.k.Now()
	var waits []port.CallID
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("h%d", i)
		c.start(start, id, "Hello5", nil)
		waits = append(waits, c.wait(start+5*ms, id))
	}
	c.runUntilAnswered(60*port.Second, waits...)
	for _, id := range waits {
		require.Equal(t, durable.StatusCompleted, c.status(id).Status)
	}
	st := c.worker(0).Stats()
	snap := c.meter.Snapshot()
	empty := int64(st.EmptyControlPolls - before.EmptyControlPolls + st.EmptyWorkPolls - before.EmptyWorkPolls)
	got := map[string]int64{}
	for _, k := range snap {
		switch k.Kind {
		case "table-get", "lease-renew":
		default:
			got[k.Kind] = k.Requests
		}
	}
	got["queue-dequeue"] -= empty
	want := map[string]int64{}
	for k, v := range hello5Requests {
		want[k] = v * int64(n)
	}
	if extended {
		want["table-query"] = int64(n)
	}
	if n > 1 {
		// Batching: one dequeue may carry messages of several
		// orchestrations, so productive dequeues are at most 11 each.
		require.LessOrEqual(t, got["queue-dequeue"], want["queue-dequeue"])
		require.Positive(t, got["queue-dequeue"])
		delete(got, "queue-dequeue")
		delete(want, "queue-dequeue")
	}
	require.Equal(t, want, got)
	require.Equal(t, 6*n, st.Steps-before.Steps)
	require.GreaterOrEqual(t, snap.Kind("table-get").Requests, int64(n), "wait polls")
	t.Logf("n=%d: %d empty polls, %d wait polls, %v virtual", n, empty,
		snap.Kind("table-get").Requests, (c.k.Now()-start)/ms)
}
