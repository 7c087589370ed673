package host

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/port"
	"github.com/stretchr/testify/require"
)

// memStream is a one-partition in-memory stream for driver tests.
type memStream struct {
	mu   sync.Mutex
	recs [][]byte
}

func (s *memStream) Partitions(context.Context) (int, error) { return 1, nil }
func (s *memStream) Append(_ context.Context, _ int, r [][]byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, r...)
	return int64(len(s.recs) - len(r)), nil
}
func (s *memStream) Read(_ context.Context, _ int, from int64, max int) (port.Records, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	end := min(int64(len(s.recs)), from+int64(max))
	out := port.Records{First: from, End: int64(len(s.recs))}
	if from < end {
		out.Records = append(out.Records, s.recs[from:end]...)
	}
	return out, nil
}

// oneShot issues one op at start and reports its completion.
type oneShot struct {
	op   port.Op
	done chan port.Completion
	rd   port.Ready
}

func (c *oneShot) Step(_ port.Time, in port.Input) {
	switch x := in.(type) {
	case port.Started:
		c.rd.Requests = append(c.rd.Requests, port.Request{ID: 1, Op: c.op})
	case port.Completion:
		c.done <- x
	}
}
func (c *oneShot) Ready() port.Ready  { return c.rd }
func (c *oneShot) Advance(port.Ready) { c.rd = port.Ready{} }

func TestHeldReadWakesOnAppend(t *testing.T) {
	st := &memStream{}
	d, err := New(Config{Stores: &port.Stores{Stream: st}, StreamHold: time.Hour})
	require.NoError(t, err)
	reader := &oneShot{op: port.StreamRead{Partition: 0, From: 0, Max: 10}, done: make(chan port.Completion, 1)}
	d.AddCore("reader", func() port.Core { return reader })
	appender := &oneShot{op: port.StreamAppend{Partition: 0, Records: [][]byte{[]byte("x")}}, done: make(chan port.Completion, 1)}
	id := d.AddCore("appender", func() port.Core { return appender })
	_ = id
	d.Start(context.Background())
	defer d.Stop()
	<-appender.done
	select {
	case c := <-reader.done:
		require.NoError(t, c.Err)
		recs := c.Result.(port.Records)
		// Either the read ran after the append, or it was held and woken.
		require.Equal(t, [][]byte{[]byte("x")}, recs.Records)
	case <-time.After(20 * time.Second): // a bound on waiting; the hold is an hour
		t.Fatal("held read was not woken by the append")
	}
}

func TestHeldReadEndsEmptyAfterHold(t *testing.T) {
	d, err := New(Config{Stores: &port.Stores{Stream: &memStream{}}, StreamHold: time.Millisecond})
	require.NoError(t, err)
	reader := &oneShot{op: port.StreamRead{Partition: 0, From: 0, Max: 10}, done: make(chan port.Completion, 1)}
	d.AddCore("reader", func() port.Core { return reader })
	d.Start(context.Background())
	defer d.Stop()
	select {
	case c := <-reader.done:
		require.NoError(t, c.Err)
		require.Empty(t, c.Result.(port.Records).Records)
	case <-time.After(20 * time.Second):
		t.Fatal("held read never completed")
	}
}
