package scenarios_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
	origsys "github.com/dflab/dflab/systems/original"
)

// Stored rows of the original engine that do not parse are refused with
// an error that names the table, the partition key and the row, never
// retried forever while the calls hang: a corrupt History row fails its
// control queue for good (health failed; the calls for the queue's
// instances fail with the reason, on the simulator as on the real
// driver), a corrupt Instances row fails the client call that reads it.
// The other queues' instances complete.
func TestOriginalCorruptRowsFailTheirCalls(t *testing.T) {
	put := func(store *mem.Store, table, pk, rk string, props map[string][]byte) {
		_, err := store.Write(context.Background(), table, port.TableWrite{Kind: port.InsertOrReplace,
			Entity: port.Entity{PartitionKey: pk, RowKey: rk, Props: props}})
		require.NoError(t, err)
	}
	uv := func(v uint64) []byte { return binary.AppendUvarint(nil, v) }
	sc := scenarios.Scenario{Name: "corrupt-rows", Setup: scenarios.SetupHello, Deadline: 30 * port.Second}
	for _, c := range []struct {
		at port.Time
		id string
	}{{0, "a!0"}, {2 * port.Second, "h!1"}, {2 * port.Second, "i!2"}, {5 * port.Second, "l!1"}} {
		sc.Calls = append(sc.Calls, scenarios.Call{At: c.at, Req: durable.ClientRequest{Kind: durable.RequestStart, Instance: c.id, Name: "Hello5"}})
	}
	for _, id := range []string{"a!0", "h!1", "i!2", "l!1"} {
		sc.Expect = append(sc.Expect, scenarios.Expect{Instance: id, Status: durable.StatusCompleted})
	}
	sc.Faults = func(d *sim.Driver, _ []sim.NodeID, store *mem.Store) {
		d.Kernel().Schedule(port.Second, sim.HandlerFunc(func(port.Time, uint64) {
			// h!1 has a committed history whose first event does not decode.
			put(store, "hubHistory", "h!1", "0000000000", map[string][]byte{"Event": []byte("garbage")})
			put(store, "hubHistory", "h!1", "sentinel", map[string][]byte{"Exec": uv(1), "Len": uv(1)})
			// i!2's Instances row has a status no version wrote.
			put(store, "hubInstances", "i!2", "", map[string][]byte{"Status": []byte("Sleeping")})
		}), 0)
	}
	e := &origsys.Sim{ControlQueues: 4}
	res, err := scenarios.Run(e, sc, scenarios.Options{Seed: 2})
	require.NoError(t, err)
	require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered once")
	byCall := map[int]error{}
	for _, r := range res.Responses {
		byCall[r.Call] = r.Err
	}
	require.NoError(t, byCall[1])
	require.NoError(t, byCall[5], "a!0 completes")
	require.Equal(t, durable.StatusCompleted, res.Final["a!0"].Status)

	historyErr := `table hubHistory, partition key "h!1", row key "0000000000" does not parse`
	require.NoError(t, byCall[2], "h!1's start is accepted (its Instances row is fine)")
	require.ErrorIs(t, byCall[6], original.ErrQueueFailed, "h!1's wait")
	require.ErrorContains(t, byCall[6], "control-01: ")
	require.ErrorContains(t, byCall[6], historyErr)
	require.ErrorIs(t, byCall[4], original.ErrQueueFailed, "l!1, started after queue 1 failed, on it too")
	require.ErrorContains(t, byCall[4], historyErr)

	for _, call := range []int{3, 7} { // i!2's start and wait
		require.ErrorIs(t, byCall[call], port.ErrCorrupt, "call %d", call)
		require.ErrorContains(t, byCall[call], `table hubInstances, partition key "i!2", row key "" does not parse`)
		require.False(t, errors.Is(byCall[call], original.ErrQueueFailed), "queue 2 is fine")
	}
}
