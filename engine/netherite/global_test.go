package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

func globalPartition(t *testing.T) *Partition {
	t.Helper()
	cfg := &Config{Hub: "h", Partitions: 3, Clients: 1, Registry: durable.NewRegistry(),
		Knobs: Knobs{Speculation: SpeculationGlobal, MaxReadRecords: 7}}
	x, err := NewPartition(cfg, 0, "n0")
	require.NoError(t, err)
	return x
}

// A rollback because a sender started a new epoch keeps that epoch: the
// new, cautious life drops the sender's lost batches of the old epoch
// instead of waiting at the first of them for a confirmation that cannot
// come (found with small read batches, where the record telling the new
// epoch lay beyond the next read).
func TestRollbackRemembersTheNewEpoch(t *testing.T) {
	x := globalPartition(t)
	require.True(t, x.global.learn(x, []batch{{Origin: 1, Epoch: 1, Pos: 5, Durable: 2}}, []bool{true}))
	x.global.deps = []dep{{seq: 1, origin: 1, epoch: 1, pos: 5}} // consumed p1's speculative batch 5

	require.False(t, x.global.learn(x, []batch{{Origin: 2, Epoch: 1, Pos: 3}, {Origin: 1, Epoch: 2}}, []bool{true, true}),
		"p1's new epoch while batch 5 of its old one was speculative rolls back")
	require.True(t, x.global.cautious)
	require.EqualValues(t, 1, x.stats.SoftRestarts)
	require.EqualValues(t, 2, x.global.top[1])
	require.EqualValues(t, 1, x.global.top[2], "the whole read is learnt")
	admit, hold := x.global.admit(batch{Origin: 1, Epoch: 1, Pos: 5})
	require.False(t, admit, "the old epoch's lost batch is dropped")
	require.False(t, hold, "not waited for")
	admit, hold = x.global.admit(batch{Origin: 1, Epoch: 1, Pos: 2})
	require.True(t, admit && !hold, "what the old epoch made durable is taken in")
}

// A cautious partition whose read holds at a speculative batch reads on
// past what that read returned, learning only, so the confirmation (or the
// sender's new epoch) that releases the hold is found however small the
// reads; at the stream's end it polls.
func TestHeldReadLooksAhead(t *testing.T) {
	x := globalPartition(t)
	x.phase, x.in = phaseRunning, inputReader{pos: 3, seen: map[int]int64{}}
	x.log.size = x.k.LogBytes
	x.global.cautious = true
	spec := batch{Origin: 1, Epoch: 1, Pos: 9, Durable: 4}
	records := func(first int64, n int, bs ...batch) port.Records {
		recs := port.Records{First: first, End: 30}
		for i := 0; i < n; i++ {
			b := batch{Origin: 2, Epoch: 1, Pos: first + int64(i), Durable: first + int64(i)}
			if i < len(bs) {
				b = bs[i]
			}
			e := enc{}
			b.encode(&e)
			recs.Records = append(recs.Records, e.b)
		}
		return recs
	}
	x.received(records(3, 7, spec))
	require.EqualValues(t, 3, x.in.pos, "held at p1's speculative batch")
	require.True(t, x.in.ahead)

	x.read()
	rd := x.Ready()
	require.Len(t, rd.Requests, 1)
	require.Equal(t, port.StreamRead{Partition: 0, From: 10, Max: 7}, rd.Requests[0].Op, "reads past the held read")
	x.Advance(rd)
	confirm := batch{Origin: 1, Epoch: 1, Durable: 9}
	x.Step(port.Millisecond, port.Completion{ID: rd.Requests[0].ID, Result: records(10, 7, confirm)})
	require.EqualValues(t, 9, x.global.known[1][1], "learnt p1's confirmation")
	require.EqualValues(t, 3, x.in.pos, "took nothing in")

	rd = x.Ready()
	x.Advance(rd)
	var reads []port.StreamRead
	for _, r := range rd.Requests {
		if sr, ok := r.Op.(port.StreamRead); ok {
			reads = append(reads, sr)
		}
	}
	require.Equal(t, []port.StreamRead{{Partition: 0, From: 3, Max: 7}}, reads, "then reads from the held position again")

	x.in = inputReader{pos: 25, seen: map[int]int64{}}
	x.received(records(25, 5, batch{Origin: 1, Epoch: 1, Pos: 12, Durable: 9}))
	require.EqualValues(t, 25, x.in.pos, "held")
	require.False(t, x.in.ahead, "nothing more to look at")
	require.True(t, x.in.waiting, "polls")
}

// A partition that failed for good stays failed: a late failed completion
// of one of its requests (here a flush's) does not start a new life.
func TestFailedPartitionIsNotRevivedByARestart(t *testing.T) {
	x := globalPartition(t)
	x.fail("corrupt")
	x.restart("flush failed", false)
	require.Equal(t, phaseDead, x.phase)
	require.Zero(t, x.stats.Restarts)
}

// A partition whose pending log records fill a flush while the first of
// them depends on unconfirmed speculative input still reads its input,
// learning only: the senders' confirmations come only there, and they
// release the flush that makes room. It stopped reading instead and
// stalled for good (found with WordCount 100×30, 5,000-word books, on
// 8×2 nodes: big reducer states filled the pending records).
func TestFullLogStillLearnsConfirmations(t *testing.T) {
	x := globalPartition(t)
	x.phase, x.in = phaseRunning, inputReader{pos: 3, seen: map[int]int64{}}
	x.log.size = x.k.LogBytes
	require.True(t, x.global.learn(x, []batch{{Origin: 1, Epoch: 1, Pos: 9, Durable: 4}}, []bool{true}))
	x.global.deps = []dep{{seq: 1, origin: 1, epoch: 1, pos: 9}} // update 1 consumed p1's speculative batch 9
	half := x.log.maxRecords() / 2
	x.log.buf = make([]byte, 2*half+1)
	x.log.recEnds, x.log.recSeqs, x.log.lastSeq = []int{half, 2*half + 1}, []int64{1, 2}, 2
	require.True(t, x.log.full())

	x.read()
	rd := x.Ready()
	require.Len(t, rd.Requests, 1, "a full log held back by a speculative input still reads")
	require.Equal(t, port.StreamRead{Partition: 0, From: 3, Max: 7}, rd.Requests[0].Op)
	x.Advance(rd)
	e := enc{}
	(&batch{Origin: 1, Epoch: 1, Durable: 9}).encode(&e)
	x.Step(port.Millisecond, port.Completion{ID: rd.Requests[0].ID, Result: port.Records{First: 3, End: 4, Records: [][]byte{e.b}}})
	require.EqualValues(t, 9, x.global.known[1][1], "learnt p1's confirmation")
	require.EqualValues(t, 3, x.in.pos, "took nothing in")
	require.True(t, x.log.flushing, "the confirmation released the flush")
}

// A partition with half its log live takes no new work until a checkpoint
// frees it, and the checkpoint waits for the held flush; under global
// speculation it still learns its senders' confirmations and tells its own
// destinations what became durable, so neither side waits for the other.
func TestPressedLogKeepsConfirming(t *testing.T) {
	x := globalPartition(t)
	x.phase, x.in = phaseRunning, inputReader{pos: 3, seen: map[int]int64{}}
	x.log.size = x.k.LogBytes
	x.log.off = x.log.size / 2
	require.True(t, x.log.pressed())
	require.True(t, x.global.learn(x, []batch{{Origin: 1, Epoch: 1, Pos: 9, Durable: 4}}, []bool{true}))
	x.global.deps = []dep{{seq: 6, origin: 1, epoch: 1, pos: 9}}
	x.log.buf = make([]byte, 100)
	x.log.recEnds, x.log.recSeqs, x.log.lastSeq, x.log.durableSeq = []int{100}, []int64{6}, 6, 5
	x.st.Seq = 6
	*x.sender(2) = sender{sentUpTo: 5, told: 3}

	x.pump()
	rd := x.Ready()
	var ops []port.Op
	for _, r := range rd.Requests {
		ops = append(ops, r.Op)
	}
	require.Len(t, ops, 2, "no flush or checkpoint yet: a confirmation and a learn-only read")
	app, ok := ops[0].(port.StreamAppend)
	require.True(t, ok, "told p2 it is durable up to 5: %#v", ops[0])
	require.Equal(t, 2, app.Partition)
	require.Equal(t, port.StreamRead{Partition: 0, From: 3, Max: 7}, ops[1])
}
