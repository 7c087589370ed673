package netherite

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay"
)

func sampleUpdates() []update {
	ev := durable.Event{Kind: durable.TaskScheduled, ID: 3, Name: "SayHello", Payload: []byte(`"Tokyo"`)}
	msg := durable.Message{To: "o1", Event: ev}
	st := durable.InstanceStatus{InstanceID: "o1", Name: "Hello5", Status: durable.StatusRunning, Input: []byte(`1`)}
	return []update{
		{Seq: 1, At: 5, Body: received{InputPos: 9, Check: 0xdeadbeef, Batches: []batch{
			{Origin: 2, Pos: 7, Messages: []durable.Message{msg}, Activities: []durable.Message{msg}},
			{Origin: 6, Pos: 3, Offload: &offloadCmd{Dest: 1, N: 4, At: 99}},
			{Origin: 1, Load: &loadInfo{Partition: 1, Node: "node1", At: 98, Queued: 5, Running: 4, Capacity: 4, Ready: 2}},
			{Origin: 5, Pos: 1, Requests: []clientReq{{ID: 4, Req: durable.ClientRequest{Kind: durable.RequestStart, Instance: "o1", Name: "Hello5", Payload: []byte(`null`)}}},
				Responses: []clientResp{{ID: 2, Resp: durable.ClientResponse{Found: true, Status: st}}}},
		}}},
		{Seq: 2, At: 6, Body: orchestrated{Instance: "o1", Consumed: 2, History: []durable.Event{ev},
			Messages: []durable.Message{msg}, Status: durable.StatusCompleted, Output: []byte(`"x"`), Custom: []byte(`1`),
			Failure: "f", Restart: []durable.Event{{Kind: durable.ExecutionStarted, Name: "Hello5"}}}},
		{Seq: 3, Body: entityStep{Instance: "@A@k", Consumed: 1, Entity: replay.EntityState{Exists: true, State: []byte(`3`),
			LockedBy: "o2", LockReq: "o2#1", Queue: []durable.Event{ev}}, Messages: []durable.Message{msg}}},
		{Seq: 4, Body: activityResult{Activity: 12, Messages: []durable.Message{msg}}},
		{Seq: 5, Body: timerDue{Timer: 3}},
		{Seq: 6, Body: confirmed{Dest: 3, UpTo: 77}},
		{Seq: 7, Body: offloaded{Dest: 2, IDs: []int64{9, 4}}},
		{Seq: 8, Body: flushHeader{Off: 4096, Epoch: 2, Records: 5}},
		{Seq: 9, Body: wrapMark{Off: 8192, Epoch: 3}},
	}
}

func TestUpdateCodecRoundTrip(t *testing.T) {
	for _, u := range sampleUpdates() {
		e := enc{}
		u.encode(&e)
		got, err := decodeUpdate(e.b)
		require.NoError(t, err, u.Kind().String())
		require.Equal(t, u, got, u.Kind().String())
		for cut := 0; cut < len(e.b); cut++ {
			_, err := decodeUpdate(e.b[:cut])
			require.Error(t, err, "%s cut at %d", u.Kind(), cut)
			require.True(t, errors.Is(err, ErrCorrupt) || errors.Is(err, durable.ErrCorrupt), "%s cut at %d: %v", u.Kind(), cut, err)
		}
	}
}

func TestBatchCodecRejectsUnknownVersion(t *testing.T) {
	b := batch{Origin: 1, Pos: 2}
	e := enc{}
	b.encode(&e)
	e.b[0] = 9
	_, err := decodeBatch(e.b)
	require.ErrorIs(t, err, ErrCorrupt)
	require.Contains(t, err.Error(), "batch version 9")
}

func TestCheckpointRoundTrip(t *testing.T) {
	reg := durable.NewRegistry()
	st := newState(1, 4)
	for _, u := range sampleUpdates() {
		st.apply(reg, &u)
	}
	st.Waiters["w"] = []waiter{{Origin: 5, ID: 8}}
	st.Timers[4] = timer{ID: 4, Msg: durable.Message{To: "o1", Event: durable.Event{Kind: durable.TimerFired, ID: 1, At: 99}}}
	e := enc{}
	encodeCheckpoint(&e, st, 4096, 3)
	got, off, epoch, err := decodeCheckpoint(e.b, 1, 4)
	require.NoError(t, err)
	require.Equal(t, int64(4096), off)
	require.Equal(t, int64(3), epoch)
	again := enc{}
	encodeCheckpoint(&again, got, 4096, 3)
	require.Equal(t, e.b, again.b, "decode then encode gives the same bytes")
	require.Equal(t, st.Seq, got.Seq)
	require.Equal(t, st.Outbox, got.Outbox)
	require.Equal(t, st.Instances, got.Instances)
	_, _, _, err = decodeCheckpoint(e.b[:len(e.b)-1], 1, 4)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestCloseDropsCachedCursors(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Wait", func(ctx *durable.OrchestrationContext) (any, error) {
		return nil, ctx.WaitForExternalEvent("x").Await(nil)
	}))
	x, err := NewPartition(&Config{Hub: "h", Partitions: 1, Clients: 1, Registry: reg}, 0, "n")
	require.NoError(t, err)
	ex := x.st.executor(reg, "i")
	r := ex.Step(1, []durable.Event{{Kind: durable.ExecutionStarted, Name: "Wait"}})
	require.Equal(t, durable.StatusRunning, r.Status)
	x.Close()
	require.Empty(t, x.st.execs)
}

// A start's reuse policy and a response's refusal survive the stream
// encoding (with the bytes of the encoding before them when they are zero).
func TestBatchCodecCarriesReuseAndRefusal(t *testing.T) {
	b := batch{Origin: 5, Pos: 1,
		Requests: []clientReq{{ID: 4, Req: durable.ClientRequest{Kind: durable.RequestStart, Instance: "o1", Name: "N",
			Reuse: durable.ReuseTerminate}}},
		Responses: []clientResp{{ID: 2, Resp: durable.ClientResponse{Found: true, Refused: durable.RefusedNotFinished}}}}
	e := enc{}
	b.encode(&e)
	got, err := decodeBatch(e.b)
	require.NoError(t, err)
	require.Equal(t, durable.ReuseTerminate, got.Requests[0].Req.Reuse)
	require.Equal(t, durable.RequestStart, got.Requests[0].Req.Kind)
	require.True(t, got.Responses[0].Resp.Found)
	require.Equal(t, durable.RefusedNotFinished, got.Responses[0].Resp.Refused)

	plain := b
	plain.Requests = []clientReq{{ID: 4, Req: durable.ClientRequest{Kind: durable.RequestStart, Instance: "o1", Name: "N"}}}
	plain.Responses = []clientResp{{ID: 2, Resp: durable.ClientResponse{Found: true}}}
	p := enc{}
	plain.encode(&p)
	require.Len(t, p.b, len(e.b)-1, "the policy takes a byte of its own, the refusal shares the found byte")
}

// A recursive purge's answer carries the purged instance's
// sub-orchestrations (and a response without them keeps its bytes).
func TestBatchCodecCarriesPurgeChildren(t *testing.T) {
	b := batch{Origin: 5, Pos: 1, Responses: []clientResp{{ID: 2, Resp: durable.ClientResponse{Found: true}, Children: []string{"p-c", "p-d"}},
		{ID: 3, Resp: durable.ClientResponse{Found: true}}}}
	e := enc{}
	b.encode(&e)
	got, err := decodeBatch(e.b)
	require.NoError(t, err)
	require.Equal(t, []string{"p-c", "p-d"}, got.Responses[0].Children)
	require.Nil(t, got.Responses[1].Children)
	require.True(t, got.Responses[0].Resp.Found)

	plain := b
	plain.Responses = []clientResp{{ID: 2, Resp: durable.ClientResponse{Found: true}}, {ID: 3, Resp: durable.ClientResponse{Found: true}}}
	p := enc{}
	plain.encode(&p)
	require.Len(t, p.b, len(e.b)-1-1-8, "a flag byte, a count and the ids")
}
