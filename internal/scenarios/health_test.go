package scenarios

import (
	"context"
	"fmt"
	"strings"
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

// denyRead fails every read of one blob with a storage error that is not
// corruption (an authorization failure, say): it persists.
func denyRead(name string) port.Middleware {
	return func(next port.Exec) port.Exec {
		return func(ctx context.Context, op port.Op) (any, error) {
			if op.Kind() == port.KindBlobGet && op.Target() == "blob/"+name {
				return nil, fmt.Errorf("get %s: access denied: %w", name, port.ErrServerBusy)
			}
			return next(ctx, op)
		}
	}
}

// A storage error that persists does not restart a partition forever while
// its calls hang: after knob MaxFailedLives lives in a row end in it, the
// partition is reported failed with the error, and its calls fail with it.
func TestNetheritePersistentStorageErrorFailsThePartition(t *testing.T) {
	sc := Scenario{Name: "denied", Setup: SetupHello, Deadline: 30 * port.Second}
	for _, id := range []string{"a!1", "b!0"} {
		sc.Calls = append(sc.Calls, start(0, id, "Hello5", nil))
		sc.Expect = append(sc.Expect, completed(id, ""))
	}
	var logs []string
	e := &Netherite{Partitions: 2, Knobs: netherite.Knobs{MaxFailedLives: 3},
		Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
	res, err := Run(e, sc, Options{Seed: 1, Inject: func(*sim.Kernel) (port.Middleware, func(string, port.Time) port.Time) {
		return denyRead("hub/p01/checkpoint"), nil
	}})
	require.NoError(t, err)
	require.Len(t, res.Responses, 4, "every call answered once")
	for _, r := range res.Responses {
		if r.Call == 2 || r.Call == 4 { // b!0
			require.NoError(t, r.Err)
			continue
		}
		require.ErrorIs(t, r.Err, netherite.ErrPartitionFailed, "call %d", r.Call)
		require.ErrorContains(t, r.Err, "partition 1: 3 lives in a row ended in a storage error (knob MaxFailedLives 3); "+
			"the last: load checkpoint: get hub/p01/checkpoint: access denied")
	}
	require.Equal(t, 2, strings.Count(strings.Join(logs, "\n"), "netherite p01: restarting from storage: load checkpoint"),
		"two restarts, then the third failed life fails the partition")
}
