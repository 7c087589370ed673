package scenarios

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
)

// In the simulator as on the real driver, a partition that fails for good
// fails the calls for its instances, the waiting ones and later ones, with
// its reason, instead of leaving them hanging; the other partitions' go on.
// Here p1 finds a checkpoint but no log (the log was lost), and refuses to
// start empty.
func TestNetheriteFailedPartitionFailsItsCalls(t *testing.T) {
	sc := Scenario{Name: "failed-partition", Setup: SetupHello, Deadline: 20 * port.Second}
	for _, id := range []string{"a!1", "b!0", "c!1", "d!2"} {
		sc.Calls = append(sc.Calls, start(0, id, "Hello5", nil))
	}
	sc.Calls = append(sc.Calls, start(5*port.Second, "e!1", "Hello5", nil))
	sc.Faults = func(_ *sim.Driver, _ []sim.NodeID, store *mem.Store) {
		_, err := store.PutBlob(context.Background(), "hub/p01/checkpoint", []byte("checkpoint"), port.Cond{})
		require.NoError(t, err)
	}
	for _, id := range []string{"a!1", "b!0", "c!1", "d!2", "e!1"} {
		sc.Expect = append(sc.Expect, completed(id, ""))
	}
	res, err := Run(&Netherite{Partitions: 4, Knobs: netherite.Knobs{}}, sc, Options{Seed: 1})
	require.NoError(t, err)
	require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered once")
	failed := map[int]bool{}
	for _, r := range res.Responses {
		id := ""
		if r.Call <= len(sc.Calls) {
			id = sc.Calls[r.Call-1].Req.Instance
		} else {
			id = sc.Expect[r.Call-len(sc.Calls)-1].Instance
		}
		if durable.Partition(id, 4) != 1 {
			require.NoError(t, r.Err, "call %d for %s", r.Call, id)
			continue
		}
		require.ErrorIs(t, r.Err, netherite.ErrPartitionFailed, "call %d for %s", r.Call, id)
		require.ErrorContains(t, r.Err, "partition 1: corrupt stored data: log hub/p01/log")
		failed[r.Call] = true
	}
	require.Len(t, failed, 6, "start and wait of a!1, c!1 and e!1 (started after p1 failed)")
	for _, id := range []string{"b!0", "d!2"} {
		require.Equal(t, durable.StatusCompleted, res.Final[id].Status, id)
	}
}
