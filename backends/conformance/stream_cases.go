package conformance

import (
	"fmt"
	"sync"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func init() {
	streamCases = []testCase{
		{"append-read", streamAppendRead},
		{"limits-and-bad-input", streamLimits},
		{"concurrent-appends-keep-order", streamConcurrent},
		{"reopen", streamReopen},
		{"cursors", streamCursors},
	}
}

func recs(prefix string, from, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(fmt.Sprintf("%s-%d", prefix, from+i))
	}
	return out
}

func partitions(e *env) int {
	n, err := e.s.Stream.Partitions(ctx)
	require.NoError(e.t, err)
	require.GreaterOrEqual(e.t, n, MinPartitions)
	return n
}

// readAll reads partition p from 0 to its end in pages of max.
func readAll(e *env, s port.Stream, p, max int) [][]byte {
	var out [][]byte
	for {
		r, err := s.Read(ctx, p, int64(len(out)), max)
		require.NoError(e.t, err)
		require.EqualValues(e.t, len(out), r.First)
		out = append(out, r.Records...)
		if len(r.Records) == 0 || int64(len(out)) >= r.End {
			return out
		}
	}
}

func streamAppendRead(e *env) {
	t, s := e.t, e.s.Stream
	partitions(e)
	first, err := s.Append(ctx, 0, recs("a", 0, 3))
	require.NoError(t, err)
	require.EqualValues(t, 0, first)
	r, err := port.StreamAppend{Partition: 0, Records: recs("a", 3, 1)}.Apply(ctx, e.s)
	require.NoError(t, err)
	require.EqualValues(t, 3, r)
	first, err = s.Append(ctx, 1, recs("b", 0, 2))
	require.NoError(t, err)
	require.EqualValues(t, 0, first, "positions are per partition")
	got, err := s.Read(ctx, 0, 0, 10)
	require.NoError(t, err)
	require.Equal(t, recs("a", 0, 4), got.Records)
	require.EqualValues(t, 4, got.End)
	got, err = s.Read(ctx, 0, 2, 1)
	require.NoError(t, err)
	require.Equal(t, port.Records{First: 2, Records: recs("a", 2, 1), End: 4}, got)
	got, err = s.Read(ctx, 0, 4, 10)
	require.NoError(t, err)
	require.Empty(t, got.Records, "reading at the end returns nothing")
	got, err = s.Read(ctx, 1, 0, 10)
	require.NoError(t, err)
	require.Equal(t, recs("b", 0, 2), got.Records)
}

func streamLimits(e *env) {
	t, s := e.t, e.s.Stream
	n := partitions(e)
	_, err := s.Append(ctx, n, recs("x", 0, 1))
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.ErrorContains(t, err, fmt.Sprintf("0..%d", n-1))
	_, err = s.Append(ctx, -1, recs("x", 0, 1))
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = s.Append(ctx, 0, nil)
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = s.Append(ctx, 0, [][]byte{make([]byte, port.MaxStreamBatchBytes+1)})
	require.ErrorIs(t, err, port.ErrTooLarge)
	_, err = s.Read(ctx, 0, 0, 0)
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = s.Read(ctx, 0, -1, 1)
	require.ErrorIs(t, err, port.ErrBadRequest)
	got, err := s.Read(ctx, 0, 0, 1)
	require.NoError(t, err)
	require.Empty(t, got.Records, "failed appends wrote nothing")
}

func streamConcurrent(e *env) {
	t, s := e.t, e.s.Stream
	partitions(e)
	const writers, batches = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < batches; i++ {
				if _, err := s.Append(ctx, 1, recs(fmt.Sprint("w", w), 2*i, 2)); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	all := readAll(e, s, 1, 7)
	require.Len(t, all, writers*batches*2)
	next := map[string]int{}
	for i := 0; i < len(all); i += 2 {
		var w string
		var k, k2 int
		_, err := fmt.Sscanf(string(all[i]), "%2s-%d", &w, &k)
		require.NoError(t, err)
		_, err = fmt.Sscanf(string(all[i+1]), "%2s-%d", &w, &k2)
		require.NoError(t, err)
		require.Equal(t, next[w], k, "writer %s's batches in order", w)
		require.Equal(t, k+1, k2, "a batch's records are contiguous")
		next[w] = k + 2
	}
}

func streamReopen(e *env) {
	t := e.t
	if e.inst.Reopen == nil {
		t.Skip("backend is not persistent (no Reopen)")
	}
	partitions(e)
	for i := 0; i < 20; i++ {
		_, err := e.s.Stream.Append(ctx, i%2, recs(fmt.Sprint("p", i%2), 5*(i/2), 5))
		require.NoError(t, err)
	}
	s := e.inst.Reopen(t)
	for p := 0; p < 2; p++ {
		require.Equal(t, recs(fmt.Sprint("p", p), 0, 50), readAll(e, s.Stream, p, 16))
	}
	first, err := s.Stream.Append(ctx, 0, recs("p0", 50, 1))
	require.NoError(t, err)
	require.EqualValues(t, 50, first, "appends continue after reopen")
	s = e.inst.Reopen(t)
	require.Equal(t, recs("p0", 0, 51), readAll(e, s.Stream, 0, 1000))
}

func streamCursors(e *env) {
	t, c := e.t, e.s.Cursors
	if c == nil {
		t.Skip("backend has no Cursors")
	}
	partitions(e)
	_, err := c.Position(ctx, "node1", 0)
	require.ErrorIs(t, err, port.ErrNotFound)
	require.NoError(t, c.CommitPosition(ctx, "node1", 0, 5))
	require.NoError(t, c.CommitPosition(ctx, "node1", 1, 7))
	require.NoError(t, c.CommitPosition(ctx, "node1", 0, 9))
	pos, err := c.Position(ctx, "node1", 0)
	require.NoError(t, err)
	require.EqualValues(t, 9, pos)
	require.ErrorIs(t, c.CommitPosition(ctx, "", 0, 1), port.ErrBadRequest)
	require.ErrorIs(t, c.CommitPosition(ctx, "node1", 0, -1), port.ErrBadRequest)
	if e.inst.Reopen != nil {
		s := e.inst.Reopen(t)
		pos, err = s.Cursors.Position(ctx, "node1", 1)
		require.NoError(t, err)
		require.EqualValues(t, 7, pos)
	}
}
