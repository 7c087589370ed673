package nats_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/nats"
	"github.com/dflab/dflab/engine/port"
)

func open(t testing.TB, opt nats.Options) *nats.Stream {
	t.Helper()
	s, err := nats.Open(context.Background(), opt)
	require.NoError(t, err)
	return s
}

func backend() conformance.Backend {
	return conformance.Backend{
		Open: func(t *testing.T, _ func() port.Time) conformance.Instance {
			opt := nats.Options{Dir: t.TempDir(), Name: "conf", Partitions: conformance.MinPartitions + 1}
			s := open(t, opt)
			t.Cleanup(func() { s.Close() })
			reopen := func(t *testing.T) *port.Stores {
				s.Close()
				s = open(t, opt) // a new server process on the same store directory
				return &port.Stores{Stream: s, Cursors: s}
			}
			return conformance.Instance{Stores: &port.Stores{Stream: s, Cursors: s}, Reopen: reopen}
		},
		VirtualTime: false,
	}
}

func TestConformanceStream(t *testing.T) { conformance.TestStream(t, backend()) }

func TestOptionsErrors(t *testing.T) {
	for _, c := range []struct {
		opt  nats.Options
		want string
	}{
		{nats.Options{Dir: "x", Partitions: 0}, "Options.Partitions"},
		{nats.Options{Dir: "x", Partitions: 1, Name: "a.b"}, "Options.Name"},
		{nats.Options{Partitions: 1}, "Options.Dir"},
	} {
		_, err := nats.Open(context.Background(), c.opt)
		require.ErrorIs(t, err, port.ErrBadRequest)
		require.ErrorContains(t, err, c.want)
	}
}

func TestAtomicBatchesAndReads(t *testing.T) {
	ctx := context.Background()
	s := open(t, nats.Options{Dir: t.TempDir(), Partitions: 2, MaxBatchRecords: 600})
	defer s.Close()
	big := make([][]byte, 600) // more than flowEvery: exercises flow-control acks
	for i := range big {
		big[i] = []byte(fmt.Sprint("r", i))
	}
	first, err := s.Append(ctx, 1, big[:1])
	require.NoError(t, err)
	require.EqualValues(t, 0, first)
	first, err = s.Append(ctx, 1, big)
	require.NoError(t, err)
	require.EqualValues(t, 1, first)
	_, err = s.Append(ctx, 1, append(big, []byte("x")))
	require.ErrorIs(t, err, port.ErrTooLarge)
	r, err := s.Read(ctx, 1, 1, port.MaxStreamRead)
	require.NoError(t, err)
	require.EqualValues(t, 601, r.End)
	require.Equal(t, big, r.Records)
	r, err = s.Read(ctx, 1, 601, 5)
	require.NoError(t, err)
	require.Empty(t, r.Records)
	require.EqualValues(t, 601, r.End)
	r, err = s.Read(ctx, 1, 700, 5)
	require.NoError(t, err)
	require.Empty(t, r.Records)
	require.EqualValues(t, 601, r.End)
	r, err = s.Read(ctx, 0, 0, 5)
	require.NoError(t, err)
	require.Empty(t, r.Records)
	require.EqualValues(t, 0, r.End)
	_, err = s.Append(ctx, 0, [][]byte{make([]byte, port.MaxStreamBatchBytes)})
	require.NoError(t, err, "a 1 MiB record fits the embedded server's payload limit")
}
