package trace

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func record(tr *Tracer) {
	tr.Begin(12*port.Second+345*port.Microsecond, "node1/p03", "req-issue").
		Uint("id", 7).Str("kind", "page-write").Int("bytes", 4096).Time("due", port.Second).Bool("ok", true).End()
	tr.Event(13*port.Second, "client", "call")
	tr.Begin(-port.Millisecond, "odd comp", "x").Str("v", "a b=c").Str("e", "").End()
}

func TestLinesAndHash(t *testing.T) {
	var buf bytes.Buffer
	tr := New(&buf)
	record(tr)
	want := "12.000345000 node1/p03 req-issue id=7 kind=page-write bytes=4096 due=1.000000000 ok=true\n" +
		"13.000000000 client call\n" +
		"-0.001000000 \"odd comp\" x v=\"a b=c\" e=\"\"\n"
	require.Equal(t, want, buf.String())
	require.Equal(t, uint64(3), tr.Lines())
	require.Equal(t, HashBytes([]byte(want)), tr.Hash())
	require.Len(t, tr.HashString(), 16)
	require.NoError(t, tr.Err())
	require.True(t, tr.Writing())

	hashOnly := New(nil)
	record(hashOnly)
	require.Equal(t, tr.Hash(), hashOnly.Hash())
	require.False(t, hashOnly.Writing())
}

func TestHashDiffers(t *testing.T) {
	a, b := New(nil), New(nil)
	a.Event(1, "c", "x")
	b.Event(2, "c", "x")
	require.NotEqual(t, a.Hash(), b.Hash())
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorKeepsHashing(t *testing.T) {
	tr := New(failWriter{})
	ref := New(nil)
	record(tr)
	record(ref)
	require.ErrorContains(t, tr.Err(), "disk full")
	require.Equal(t, ref.Hash(), tr.Hash())
	require.False(t, tr.Writing())
}

func TestHashPathAllocatesNothing(t *testing.T) {
	tr := New(nil)
	allocs := testing.AllocsPerRun(1000, func() {
		tr.Begin(123456789, "node2/p11", "complete").Uint("id", 99).Str("kind", "table-batch").Int("bytes", 100).End()
	})
	require.Zero(t, allocs)
}

func BenchmarkLineHashOnly(b *testing.B) {
	tr := New(nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tr.Begin(port.Time(i), "node2/p11", "complete").Uint("id", uint64(i)).Str("kind", "table-batch").End()
	}
}
