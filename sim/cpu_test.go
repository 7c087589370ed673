package sim

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDeferWithoutMaxDeferIsSubmit(t *testing.T) {
	c := NewCPU(1)
	c.Defer(0, 5*ms, 3*ms) // placed now, as Submit(0, 3ms)
	start, end := c.Submit(1*ms, 2*ms)
	require.Equal(t, 3*ms, start, "FIFO behind the background work")
	require.Equal(t, 5*ms, end)
	require.Equal(t, 5*ms, c.Busy())
}

func TestDeferredWorkRunsInIdleTimeAndDelaysNothing(t *testing.T) {
	c := NewCPU(2)
	c.SetMaxDefer(20 * ms)
	_, end := c.Submit(0, 2*ms)
	require.Equal(t, 2*ms, end)
	c.Defer(0, end, 3*ms) // background of that item, runnable when it ends
	c.Defer(0, end, 3*ms)
	// An item at 3 ms starts at once: the background took 1 ms of each
	// core's idle time since 2 ms and waits for more.
	start, _ := c.Submit(3*ms, 1*ms)
	require.Equal(t, 3*ms, start)
	require.Equal(t, 2*ms+1*ms+1*ms+1*ms, c.Busy())
	require.Equal(t, 4*ms, c.Deferred())
	// At 10 ms the idle cores have run the rest.
	start, _ = c.Submit(10*ms, 1*ms)
	require.Equal(t, 10*ms, start)
	require.Zero(t, c.Deferred())
	require.Equal(t, 2*ms+6*ms+1*ms+1*ms, c.Busy(), "the same CPU time as Submit")
}

func TestDeferredWorkThatWaitedTooLongTakesACore(t *testing.T) {
	c := NewCPU(1)
	c.SetMaxDefer(5 * ms)
	c.Submit(0, 10*ms) // the core is busy until 10 ms
	c.Defer(0, 1*ms, 4*ms)
	// At 4 ms it has waited 3 ms (< 5): the item queues behind the busy
	// core only.
	start, end := c.Submit(4*ms, 1*ms)
	require.Equal(t, 10*ms, start)
	require.Equal(t, 11*ms, end)
	// At 7 ms it has waited 6 ms: it is placed before the next item.
	start, _ = c.Submit(7*ms, 1*ms)
	require.Equal(t, 15*ms, start, "behind the 4 ms of background that waited maxDefer")
	require.Zero(t, c.Deferred())
	require.Equal(t, 16*ms, c.Busy())
}

func TestResetDropsDeferredWork(t *testing.T) {
	c := NewCPU(1)
	c.SetMaxDefer(5 * ms)
	c.Defer(0, 0, 4*ms)
	c.Reset(1 * ms)
	require.Zero(t, c.Deferred())
	start, _ := c.Submit(2*ms, 1*ms)
	require.Equal(t, 2*ms, start)
	require.Zero(t, c.Busy()-1*ms)
}
