package reactor

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBookAsMap: a book holds what a map by id would, through long-lived
// entries (which move to old), gaps between ids and resets.
func TestBookAsMap(t *testing.T) {
	var b book[tc]
	want := map[uint64]string{}
	x := uint64(7)
	rnd := func(n uint64) uint64 { x = x*6364136223846793005 + 1442695040888963407; return (x >> 33) % n }
	id := uint64(0)
	var open []uint64
	maxOld := 0
	for step := 0; step < 200000; step++ {
		switch r := rnd(100); {
		case r < 50 || len(open) == 0:
			id += 1 + rnd(3) // gaps, as under Shared
			s := string(rune('a' + id%26))
			b.put(id, slot[tc]{k: tc{step: s}})
			want[id] = s
			open = append(open, id)
		case r < 98:
			// take a recent one mostly, so that some stay pending for long
			i := len(open) - 1 - int(rnd(uint64(min(len(open), 8))))
			got, ok := b.take(open[i])
			_, had := want[open[i]]
			require.Equal(t, had, ok)
			if had {
				require.Equal(t, want[open[i]], got.k.step)
			}
			delete(want, open[i])
			open = append(open[:i], open[i+1:]...)
		default:
			_, ok := b.take(id + 1) // never issued
			require.False(t, ok)
		}
		if step%50000 == 25000 {
			b.reset()
			clear(want)
			open = open[:0]
		}
		require.Equal(t, len(want), b.len())
		maxOld = max(maxOld, len(b.old))
	}
	require.Greater(t, maxOld, 0, "long-lived entries moved to old")
	var ids []uint64
	b.each(func(id uint64, s *slot[tc]) {
		require.Equal(t, want[id], s.k.step)
		ids = append(ids, id)
	})
	require.Len(t, ids, len(want))
	require.LessOrEqual(t, len(b.ring), 4*windowMin)
}

// TestPendingSortedWithOld: Pending lists by id whether an entry sits in
// the window or was moved to old.
func TestPendingSortedWithOld(t *testing.T) {
	r := New[tc](PerKind)
	long := r.After(1000, tc{"long", ""})
	for i := 0; i < 3*windowMin; i++ {
		id := r.After(1, tc{"short", ""})
		r.Cancel(id)
	}
	last := r.After(2, tc{"last", ""})
	require.NotEmpty(t, r.timers.old)
	ps := r.Pending()
	require.Len(t, ps, 2)
	require.True(t, sort.SliceIsSorted(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID }))
	require.Equal(t, []uint64{uint64(long), uint64(last)}, []uint64{ps[0].ID, ps[1].ID})
}
