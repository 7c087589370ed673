package reactor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

// tc is a test continuation: a step and what it concerns.
type tc struct{ step, about string }

func (c tc) Then() Then { return Then{c.step, c.about} }

// log is a core's step function in these tests: it records each step.
type log []string

func (l *log) run(k tc, o Outcome) {
	s := k.step
	for _, c := range o.Completions {
		s += " " + c.Result.(string)
	}
	*l = append(*l, s)
}

func TestIdsPerKindOrShared(t *testing.T) {
	for _, c := range []struct {
		ids                 IDs
		req, timer, act, r2 uint64
	}{{PerKind, 1, 1, 1, 2}, {Shared, 1, 2, 3, 4}} {
		r := New[tc](c.ids)
		req := r.Issue(port.BlobGet{Name: "a"}, tc{"read", "a"})
		tm := r.After(5, tc{"tick", ""})
		act := r.Run("Say", nil, nil, tc{"said", "i"})
		req2 := r.Issue(port.BlobGet{Name: "b"}, tc{"read", "b"})
		require.Equal(t, []uint64{c.req, c.timer, c.act, c.r2}, []uint64{uint64(req), uint64(tm), uint64(act), uint64(req2)})
	}
}

func TestDispatchRunsEachContinuationOnce(t *testing.T) {
	r := New[tc](PerKind)
	r.SetNow(10)
	var got log
	id := r.Issue(port.BlobGet{Name: "a"}, tc{"read", "a"})
	tm := r.After(5, tc{"tick", ""})
	gone := r.After(7, tc{"gone", ""})
	r.Cancel(gone)
	rd := r.Ready()
	require.Len(t, rd.Requests, 1)
	require.Equal(t, port.Time(15), rd.Timers[0].At)
	require.Equal(t, []Pending{{Request, 1, Then{"read", "a"}, tc{"read", "a"}}, {Timer, 1, Then{"tick", ""}, tc{"tick", ""}}}, r.Pending())

	require.True(t, r.Dispatch(20, port.TimerFired{ID: gone}, got.run), "a cancelled timer's firing is taken and ignored")
	require.True(t, r.Dispatch(20, port.Completion{ID: id}, got.run))
	require.True(t, r.Dispatch(20, port.Completion{ID: id}, got.run), "a second completion is ignored")
	require.True(t, r.Dispatch(21, port.TimerFired{ID: tm}, got.run))
	require.False(t, r.Dispatch(22, port.Started{}, got.run))
	require.Equal(t, port.Time(22), r.Now())
	require.Equal(t, log{"read", "tick"}, got)
	require.Empty(t, r.Pending())
	r.Advance(rd)
	require.Empty(t, r.Ready().Requests)
}

func TestOutcomeCarriesCompletionAndActivityResult(t *testing.T) {
	r := New[tc](PerKind)
	var got []Outcome
	run := func(_ tc, o Outcome) { got = append(got, o) }
	r.Issue(port.BlobGet{Name: "a"}, tc{"read", "a"})
	r.Run("Say", nil, nil, tc{"said", "i"})
	r.Dispatch(1, port.Completion{ID: 1, Result: "a"}, run)
	r.Dispatch(1, port.ActivityDone{ID: 1, Output: []byte("hi")}, run)
	require.Equal(t, []Outcome{{Completion: port.Completion{ID: 1, Result: "a"}}, {Done: port.ActivityDone{ID: 1, Output: []byte("hi")}}}, got)
}

func TestAllHandsOverCompletionsInOpOrder(t *testing.T) {
	r := New[tc](PerKind)
	var got log
	require.True(t, r.All([]port.Op{port.BlobGet{Name: "a"}, port.BlobGet{Name: "b"}}, tc{"both-read", ""}))
	require.Equal(t, []Pending{{Request, 1, Then{"both-read", ""}, tc{"both-read", ""}}, {Request, 2, Then{"both-read", ""}, tc{"both-read", ""}}}, r.Pending())
	r.Dispatch(1, port.Completion{ID: 2, Result: "b"}, got.run)
	require.Nil(t, got)
	r.Dispatch(1, port.Completion{ID: 1, Result: "a"}, got.run)
	require.Equal(t, log{"both-read a b"}, got)
	require.False(t, r.All(nil, tc{"none", ""}), "no ops: the caller steps at once")
	require.Empty(t, r.Pending())
}

func TestDrainKeepsRequestsAsNoOps(t *testing.T) {
	r := New[tc](PerKind)
	var got log
	r.Issue(port.BlobGet{Name: "a"}, tc{"read", "a"})
	r.After(5, tc{"tick", ""})
	r.Drain()
	require.Equal(t, []Pending{{Request, 1, Then{"drained", "read a"}, tc{"read", "a"}}}, r.Pending())
	require.Equal(t, 1, r.Requests())
	r.Dispatch(1, port.Completion{ID: 1}, got.run)
	r.Dispatch(1, port.TimerFired{ID: 1}, got.run)
	require.Empty(t, got)
	require.Equal(t, 0, r.Requests())
	require.Equal(t, port.RequestID(2), r.Issue(port.BlobGet{Name: "b"}, tc{"read", "b"}), "ids go on")
	require.True(t, r.Forget(2))
	require.False(t, r.Forget(2))
}

// TestAdvanceReusesTheReady: after Advance the taken Ready still reads as
// it was (the real driver dispatches it after Advance), the next turn's
// Ready has only its own output, and it reuses the array.
func TestAdvanceReusesTheReady(t *testing.T) {
	r := New[tc](PerKind)
	r.Issue(port.BlobGet{Name: "a"}, tc{"read", "a"})
	rd := r.Ready()
	r.Advance(rd)
	require.Equal(t, port.BlobGet{Name: "a"}, rd.Requests[0].Op)
	require.Empty(t, r.Ready().Requests)
	r.Issue(port.BlobGet{Name: "b"}, tc{"read", "b"})
	rd2 := r.Ready()
	require.Len(t, rd2.Requests, 1)
	require.Equal(t, port.BlobGet{Name: "b"}, rd2.Requests[0].Op)
	require.Same(t, &rd.Requests[0], &rd2.Requests[0], "the array is reused")
}
