package reactor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func TestIdsPerKindOrShared(t *testing.T) {
	for _, c := range []struct {
		ids                 IDs
		req, timer, act, r2 uint64
	}{{PerKind, 1, 1, 1, 2}, {Shared, 1, 2, 3, 4}} {
		r := New(c.ids)
		req := r.Issue(port.BlobGet{Name: "a"}, "read", "a", func(port.Completion) {})
		tm := r.After(5, "tick", "", func() {})
		act := r.Run("Say", nil, nil, "said", "i", func(port.ActivityDone) {})
		req2 := r.Issue(port.BlobGet{Name: "b"}, "read", "b", func(port.Completion) {})
		require.Equal(t, []uint64{c.req, c.timer, c.act, c.r2}, []uint64{uint64(req), uint64(tm), uint64(act), uint64(req2)})
	}
}

func TestDispatchRunsEachContinuationOnce(t *testing.T) {
	r := New(PerKind)
	r.SetNow(10)
	var got []string
	id := r.Issue(port.BlobGet{Name: "a"}, "read", "a", func(c port.Completion) { got = append(got, "read") })
	tm := r.After(5, "tick", "", func() { got = append(got, "tick") })
	gone := r.After(7, "gone", "", func() { got = append(got, "gone") })
	r.Cancel(gone)
	rd := r.Ready()
	require.Len(t, rd.Requests, 1)
	require.Equal(t, port.Time(15), rd.Timers[0].At)
	require.Equal(t, []Pending{{Request, 1, Then{"read", "a"}}, {Timer, 1, Then{"tick", ""}}}, r.Pending())

	require.True(t, r.Dispatch(20, port.TimerFired{ID: gone}), "a cancelled timer's firing is taken and ignored")
	require.True(t, r.Dispatch(20, port.Completion{ID: id}))
	require.True(t, r.Dispatch(20, port.Completion{ID: id}), "a second completion is ignored")
	require.True(t, r.Dispatch(21, port.TimerFired{ID: tm}))
	require.False(t, r.Dispatch(22, port.Started{}))
	require.Equal(t, port.Time(22), r.Now())
	require.Equal(t, []string{"read", "tick"}, got)
	require.Empty(t, r.Pending())
	r.Advance(rd)
	require.Empty(t, r.Ready().Requests)
}

func TestAllHandsOverCompletionsInOpOrder(t *testing.T) {
	r := New(PerKind)
	var got []port.Completion
	r.All([]port.Op{port.BlobGet{Name: "a"}, port.BlobGet{Name: "b"}}, "both-read", "", func(cs []port.Completion) { got = cs })
	r.Dispatch(1, port.Completion{ID: 2, Result: "b"})
	require.Nil(t, got)
	r.Dispatch(1, port.Completion{ID: 1, Result: "a"})
	require.Equal(t, []any{"a", "b"}, []any{got[0].Result, got[1].Result})
	ran := false
	r.All(nil, "none", "", func(cs []port.Completion) { ran = cs == nil })
	require.True(t, ran, "no ops: at once")
}

func TestDrainKeepsRequestsAsNoOps(t *testing.T) {
	r := New(PerKind)
	acted := false
	r.Issue(port.BlobGet{Name: "a"}, "read", "a", func(port.Completion) { acted = true })
	r.After(5, "tick", "", func() { acted = true })
	r.Drain()
	require.Equal(t, []Pending{{Request, 1, Then{"drained", "read a"}}}, r.Pending())
	require.Equal(t, 1, r.Requests())
	r.Dispatch(1, port.Completion{ID: 1})
	r.Dispatch(1, port.TimerFired{ID: 1})
	require.False(t, acted)
	require.Equal(t, 0, r.Requests())
	require.Equal(t, port.RequestID(2), r.Issue(port.BlobGet{Name: "b"}, "read", "b", func(port.Completion) {}), "ids go on")
	require.True(t, r.Forget(2))
	require.False(t, r.Forget(2))
}
