package original

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// planFor plans one batch for a history of events (execution 1).
func planFor(t *testing.T, events []durable.Event, dedup dedupSet, batch ...envelope) plan {
	w, err := NewWorker(Defaults("hub", "w"), durable.NewRegistry())
	require.NoError(t, err)
	rs := make([]received, len(batch))
	for i := range batch {
		rs[i] = received{env: batch[i], msg: port.Message{DequeueCount: 1}}
	}
	if dedup == nil {
		dedup = dedupSet{}
	}
	return w.planBatch(&history{events: events, exec: 1, dedup: dedup}, rs)
}

func parentStart(seq uint64) envelope {
	return envelope{To: "child", Sender: "parent#1", Seq: seq,
		Event: durable.Event{Kind: durable.ExecutionStarted, Name: "Child", Instance: "parent", ID: int32(seq - 1)}}
}

var (
	runningHist = []durable.Event{{Kind: durable.OrchestratorStarted}, {Kind: durable.ExecutionStarted, Name: "Child", Instance: "parent"}}
	endedHist   = append(append([]durable.Event(nil), runningHist...), durable.Event{Kind: durable.ExecutionCompleted, Status: durable.StatusFailed})
)

// A parent's start for a child whose execution ended begins execution 2,
// and is remembered: its copy (a redone parent step) is then dropped.
func TestParentStartOfAnEndedChildBeginsTheNextExecution(t *testing.T) {
	p := planFor(t, endedHist, nil, parentStart(3))
	require.EqualValues(t, 2, p.newExec)
	require.Len(t, p.events, 1)
	require.True(t, p.dedup.seen("parent#1", 3))

	again := planFor(t, endedHist, p.dedup, parentStart(3))
	require.Zero(t, again.newExec, "a copy of the applied start")
	require.Equal(t, 1, again.dups)
}

// The child sends its end to its parent before it writes the history that
// records it, so a parent retrying at once can start it while it still
// looks running: that start is put back until the end is written, not
// dropped (the parent waited forever).
func TestParentStartOfARunningChildWaitsForItsEnd(t *testing.T) {
	p := planFor(t, runningHist, nil, parentStart(3))
	require.Zero(t, p.newExec)
	require.Empty(t, p.events)
	require.Len(t, p.early, 1, "put back")
	require.Zero(t, p.dups)

	// A copy of the start the execution began with is dropped.
	seen := dedupSet{}
	seen.accept("parent#1", 1)
	dup := planFor(t, runningHist, seen, parentStart(1))
	require.Equal(t, 1, dup.dups)
	require.Empty(t, dup.early)
}
