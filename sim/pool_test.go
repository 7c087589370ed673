package sim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
)

// TestPooledInputsRunInParallel: eight client calls delivered at once
// cost 10 ms each. On one thread of the core's own they take 80 ms; with
// PoolInputs the turn's input CPU goes onto the node's four cores, one
// item per input, so the answers leave after 20 ms, in order, and the
// core's own thread is not charged.
func TestPooledInputsRunInParallel(t *testing.T) {
	last := func(pooled bool) (port.Time, int) {
		m := &ModelSet{CPU: CPUModel{CostsMs: map[string]rng.Dist{"input:client-call": rng.Const(10)}}}
		require.NoError(t, m.Validate())
		var got []port.Time
		d := NewDriver(NewKernel(0), Config{Seed: 1, Models: m,
			OnResponse: func(now port.Time, _ CoreID, _ port.Response) { got = append(got, now) }})
		n := d.AddNode("n", 4)
		id := d.AddCore(n, "c", func() port.Core { return &workCore{} })
		if pooled {
			d.PoolInputs(id)
		}
		for i := 1; i <= 8; i++ {
			d.Call(0, id, port.ClientCall{ID: port.CallID(i)})
		}
		d.Run()
		return got[len(got)-1], len(got)
	}
	own, n := last(false)
	require.Equal(t, 8, n)
	pooled, n := last(true)
	require.Equal(t, 8, n)
	require.InDelta(t, float64(80*port.Millisecond), float64(own), float64(2*port.Millisecond))
	require.InDelta(t, float64(20*port.Millisecond), float64(pooled), float64(2*port.Millisecond))
}
