package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// A client core told that a partition failed answers the calls waiting
// for it, and every later call for an instance on it, with the reason;
// calls for other partitions go on.
func TestClientFailsCallsOfAFailedPartition(t *testing.T) {
	cfg := &Config{Hub: "h", Partitions: 2, Clients: 1, Registry: durable.NewRegistry()}
	c, err := NewClient(cfg, 0)
	require.NoError(t, err)
	c.Step(0, port.Started{})
	c.Advance(c.Ready())
	on := map[int]string{}
	for i := 0; len(on) < 2; i++ {
		id := "i" + string(rune('a'+i))
		on[durable.Partition(id, 2)] = id
	}
	c.Step(1, port.ClientCall{ID: 1, Req: durable.ClientRequest{Kind: durable.RequestWait, Instance: on[0]}})
	c.Step(1, port.ClientCall{ID: 2, Req: durable.ClientRequest{Kind: durable.RequestWait, Instance: on[1]}})
	rd := c.Ready()
	require.Empty(t, rd.Responses)
	c.Advance(rd)

	c.Step(2, port.ClientCall{Req: PartitionDown{Partition: 0, Reason: "corrupt stored data: log h/p00/log at offset 512: ..."}})
	rd = c.Ready()
	require.Len(t, rd.Responses, 1, "the waiting call for p0 fails; PartitionDown itself is not answered")
	require.Equal(t, port.CallID(1), rd.Responses[0].ID)
	require.ErrorIs(t, rd.Responses[0].Err, ErrPartitionFailed)
	require.ErrorContains(t, rd.Responses[0].Err, "partition 0: corrupt stored data: log h/p00/log at offset 512")
	c.Advance(rd)

	c.Step(3, port.ClientCall{ID: 3, Req: durable.ClientRequest{Kind: durable.RequestStatus, Instance: on[0]}})
	rd = c.Ready()
	require.Len(t, rd.Responses, 1, "a later call for p0 fails at once")
	require.Equal(t, port.CallID(3), rd.Responses[0].ID)
	require.ErrorIs(t, rd.Responses[0].Err, ErrPartitionFailed)
	for _, r := range rd.Requests {
		if a, ok := r.Op.(port.StreamAppend); ok {
			require.NotEqual(t, 0, a.Partition, "nothing more is sent to the failed partition")
		}
	}
	require.Len(t, c.calls, 1, "the call for p1 still waits")
}

// A client whose own response stream is corrupt fails the waiting calls
// and every later one with the storage error, instead of polling forever.
func TestClientFailsCallsWhenItsStreamIsCorrupt(t *testing.T) {
	cfg := &Config{Hub: "h", Partitions: 2, Clients: 1, Registry: durable.NewRegistry()}
	c, err := NewClient(cfg, 0)
	require.NoError(t, err)
	c.Step(0, port.Started{})
	c.Step(1, port.ClientCall{ID: 1, Req: durable.ClientRequest{Kind: durable.RequestWait, Instance: "a"}})
	rd := c.Ready()
	c.Advance(rd)
	var read port.RequestID
	for _, r := range rd.Requests {
		if op, ok := r.Op.(port.StreamRead); ok && op.Partition == 2 {
			read = r.ID
		}
	}
	require.NotZero(t, read, "the client reads its stream while a call waits")
	corrupt := port.Corrupt("/d/stream/p002.seg", 96, "record 3 as appended")
	c.Step(2, port.Completion{ID: read, Err: corrupt})
	c.Step(3, port.ClientCall{ID: 2, Req: durable.ClientRequest{Kind: durable.RequestStatus, Instance: "b"}})
	rd = c.Ready()
	require.Len(t, rd.Responses, 2)
	for i, r := range rd.Responses {
		require.Equal(t, port.CallID(i+1), r.ID)
		require.ErrorIs(t, r.Err, port.ErrCorrupt)
		require.ErrorContains(t, r.Err, "response stream (partition 2) cannot be read: corrupt stored data: /d/stream/p002.seg at offset 96")
	}
}
