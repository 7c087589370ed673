package mem_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
)

// script runs a fixed sequence of calls and returns everything they
// returned, as text.
func script(t *testing.T) string {
	clk := conformance.NewClock(conformance.Start)
	s, err := mem.New(clk.Now, mem.Options{Partitions: 1})
	require.NoError(t, err)
	out := ""
	for i := 0; i < 20; i++ {
		etag, err := s.PutBlob(ctx, fmt.Sprintf("b%02d", (i*7)%20), []byte{byte(i)}, port.Cond{})
		require.NoError(t, err)
		out += etag
	}
	l, err := s.ListBlobs(ctx, "", "", 100)
	require.NoError(t, err)
	out += fmt.Sprint(l)
	require.NoError(t, s.CreateQueue(ctx, "qqq"))
	for i := 0; i < 5; i++ {
		e, err := s.Enqueue(ctx, "qqq", []byte{byte(i)}, 0)
		require.NoError(t, err)
		out += fmt.Sprint(e)
		clk.Advance(port.Millisecond)
	}
	msgs, err := s.Dequeue(ctx, "qqq", 5, port.Second)
	require.NoError(t, err)
	return out + fmt.Sprint(msgs)
}

func TestSameCallsSameResults(t *testing.T) {
	require.Equal(t, script(t), script(t))
}
