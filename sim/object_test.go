package sim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
)

// An object orders each core's completions as a map by core would, before
// and after it has indexed its slots (more than linearSlots cores), and a
// core's slot of an earlier life counts as none.
func TestObjectOrderPerCore(t *testing.T) {
	cores := make([]*coreRun, 3*linearSlots)
	for i := range cores {
		cores[i] = &coreRun{id: CoreID(i)}
	}
	type key struct {
		cr   *coreRun
		life uint64
	}
	ref := map[key]port.Time{}
	var o object
	r := rng.New(3)
	for i := 0; i < 20000; i++ {
		cr := cores[r.Intn(len(cores))]
		if i%500 == 0 {
			cr.life++ // a crash: its earlier completions no longer order it
		}
		done := port.Time(r.Intn(1000)) + port.Time(i)
		want := max(done, ref[key{cr, cr.life}])
		ref[key{cr, cr.life}] = want
		require.Equal(t, want, o.after(cr, done), "step %d", i)
	}
	require.NotNil(t, o.byCore)
	require.Len(t, o.order, len(cores))
}
