package sim

import (
	"context"
	"testing"

	"github.com/dflab/dflab/engine/port"
	"github.com/stretchr/testify/require"
)

// oneStream is a one-partition stream for driver tests (single-threaded).
type oneStream struct{ recs [][]byte }

func (s *oneStream) Partitions(context.Context) (int, error) { return 1, nil }
func (s *oneStream) Append(_ context.Context, _ int, r [][]byte) (int64, error) {
	s.recs = append(s.recs, r...)
	return int64(len(s.recs) - len(r)), nil
}
func (s *oneStream) Read(_ context.Context, _ int, from int64, max int) (port.Records, error) {
	end := min(int64(len(s.recs)), from+int64(max))
	out := port.Records{First: from, End: int64(len(s.recs))}
	if from < end {
		out.Records = s.recs[from:end]
	}
	return out, nil
}

// pollingReader reads partition 0 until it gets a record, re-reading 5 ms
// after every empty answer, as an engine core does.
type pollingReader struct {
	reads int
	got   port.Time
	now   port.Time
	rd    port.Ready
}

func (c *pollingReader) read() {
	c.reads++
	c.rd.Requests = append(c.rd.Requests, port.Request{ID: port.RequestID(c.reads), Op: port.StreamRead{Max: 10}})
}

func (c *pollingReader) Step(now port.Time, in port.Input) {
	c.now = now
	switch x := in.(type) {
	case port.Started, port.TimerFired:
		c.read()
	case port.Completion:
		if len(x.Result.(port.Records).Records) > 0 {
			c.got = now
			return
		}
		c.rd.Timers = append(c.rd.Timers, port.Timer{ID: 1, At: now + 5*ms})
	}
}
func (c *pollingReader) Ready() port.Ready  { return c.rd }
func (c *pollingReader) Advance(port.Ready) { c.rd = port.Ready{} }

// appendAt appends one record when its timer fires at 200 ms.
type appendAt struct{ rd port.Ready }

func (c *appendAt) Step(now port.Time, in port.Input) {
	switch in.(type) {
	case port.Started:
		c.rd.Timers = append(c.rd.Timers, port.Timer{ID: 1, At: 200 * ms})
	case port.TimerFired:
		c.rd.Requests = append(c.rd.Requests, port.Request{ID: 1, Op: port.StreamAppend{Records: [][]byte{[]byte("x")}}})
	}
}
func (c *appendAt) Ready() port.Ready  { return c.rd }
func (c *appendAt) Advance(port.Ready) { c.rd = port.Ready{} }

func TestStreamHoldReplacesPolling(t *testing.T) {
	run := func(hold port.Time) *pollingReader {
		d := NewDriver(NewKernel(0), Config{Seed: 1, Models: scenarioModels(), Stores: &port.Stores{Stream: &oneStream{}}, StreamHold: hold})
		n := d.AddNode("n", 2)
		r := &pollingReader{}
		d.AddCore(n, "reader", func() port.Core { return r })
		d.AddCore(n, "appender", func() port.Core { return &appendAt{} })
		d.RunUntil(2 * port.Second)
		return r
	}
	polled, held := run(0), run(port.Second)
	require.NotZero(t, polled.got)
	require.NotZero(t, held.got)
	require.Greater(t, polled.reads, 20, "without a hold the reader polls")
	require.Equal(t, 1, held.reads, "with a hold one read waits for the append")
	require.Less(t, held.got, 250*ms, "the held read is answered soon after the append at 200 ms")
	// A hold shorter than the wait answers empty, and the reader polls again.
	require.Greater(t, run(50*ms).reads, 3)
}

func TestHeldReadOfACrashedCoreIsDropped(t *testing.T) {
	d := NewDriver(NewKernel(0), Config{Seed: 1, Models: scenarioModels(), Stores: &port.Stores{Stream: &oneStream{}}, StreamHold: port.Second})
	a, b := d.AddNode("a", 1), d.AddNode("b", 1)
	var readers []*pollingReader
	id := d.AddCore(a, "reader", func() port.Core { r := &pollingReader{}; readers = append(readers, r); return r })
	d.AddCore(b, "appender", func() port.Core { return &appendAt{} })
	d.CrashAt(100*ms, a)
	d.RestartAt(150*ms, a)
	d.RunUntil(2 * port.Second)
	require.Len(t, readers, 2)
	require.Zero(t, readers[0].got, "the crashed reader's held read is never answered")
	require.NotZero(t, readers[1].got)
	require.Same(t, readers[1], d.Core(id))
}
