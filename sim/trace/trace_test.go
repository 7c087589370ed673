package trace

import (
	"bytes"
	"errors"
	"math"
	"strconv"
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkTurnLines records the lines of one simulated turn as the sim
// driver writes them (two steps, the turn, two issues at the same time by
// the same core, a completion by another core later), hash only.
func BenchmarkTurnLines(b *testing.B) {
	tr := New(nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		now := port.Time(i) * 1234567
		tr.Begin(now, "node3/worker", "step").Str("in", "completion").Uint("id", uint64(i)).Bool("err", false).End()
		tr.Begin(now, "node3/worker", "step").Str("in", "timer").Uint("id", uint64(i+1)).End()
		tr.Begin(now, "node3/worker", "turn").Int("inputs", 2).Time("start", now).Time("end", now+250000).End()
		for j := 0; j < 2; j++ {
			tr.Begin(now, "node3/worker", "issue").Uint("id", uint64(i+j)).Str("kind", "table-batch").
				Str("target", "table/History/hello5-000123").Int("bytes", 1432).Time("start", now).Time("done", now+9000000).End()
		}
		tr.Begin(now+9000000, "node1/client", "complete").Uint("id", uint64(i)).Str("kind", "queue-dequeue").Bool("err", false).End()
	}
	b.ReportMetric(6*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func TestNumbersAsStrconv(t *testing.T) {
	vals := []uint64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 999999999, 1000000000, 1<<63 - 1, 1 << 63, 1<<64 - 1}
	for p := uint64(1); p < 1e19; p *= 10 {
		vals = append(vals, p-1, p, p+1)
	}
	for _, v := range vals {
		require.Equal(t, strconv.FormatUint(v, 10), string(appendUint(nil, v)))
		for _, i := range []int64{int64(v), -int64(v)} {
			require.Equal(t, strconv.FormatInt(i, 10), string(appendInt(nil, i)))
			if i != math.MinInt64 {
				require.Equal(t, refTime(port.Time(i)), string(AppendTime(nil, port.Time(i))))
			}
		}
	}
	require.Equal(t, "-9223372036.854775808", string(AppendTime(nil, math.MinInt64)))
	require.Equal(t, strconv.FormatInt(math.MinInt64, 10), string(appendInt(nil, math.MinInt64)))
}

// refTime is AppendTime as it was written with strconv (for every time
// but math.MinInt64, which it cannot negate).
func refTime(t port.Time) string {
	v := int64(t)
	var b []byte
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/int64(port.Second), 10)
	b = append(b, '.')
	n := len(b)
	b = strconv.AppendInt(b, v%int64(port.Second)+int64(port.Second), 10)
	copy(b[n:], b[n+1:])
	return string(b[:len(b)-1])
}

func TestAppendWordQuotes(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := "a" + string(rune(c)) + "b"
		if c >= 0x80 {
			s = "a" + string([]byte{byte(c)}) + "b"
		}
		quoted := c <= ' ' || c == '=' || c == '"' || c == 0x7f
		want := s
		if quoted {
			want = strconv.Quote(s)
		}
		require.Equal(t, want, string(appendWord(nil, s)), "byte %#x", c)
	}
}

func TestAppendWordQuotesLong(t *testing.T) {
	for n := 1; n <= 19; n++ {
		appendWordQuotesLong(t, []byte("node12/partition-07"[:n]))
	}
}

func appendWordQuotesLong(t *testing.T, base []byte) {
	require.Equal(t, string(base), string(appendWord(nil, string(base))))
	for c := 0; c < 256; c++ {
		quoted := c <= ' ' || c == '=' || c == '"' || c == 0x7f
		for i := range base {
			b := append([]byte(nil), base...)
			b[i] = byte(c)
			s := string(b)
			want := s
			if quoted {
				want = strconv.Quote(s)
			}
			require.Equal(t, want, string(appendWord(nil, s)), "byte %#x at %d", c, i)
		}
	}
}

// Begin's copies of the line before's time and component give the bytes a
// fresh Tracer would write.
func TestBeginMemoryGivesSameBytes(t *testing.T) {
	times := []port.Time{0, 0, 5, 5, port.Second, -3, -3, 12*port.Second + 7}
	comps := []string{"node1/p03", "node1/p03", "odd comp", "odd comp", "", "node2/p03", "node1/p03"}
	var got, want bytes.Buffer
	tr := New(&got)
	for i := 0; i < 500; i++ {
		now, comp := times[(i*7)%len(times)]+port.Time(i/50), comps[(i*5)%len(comps)]
		tr.Begin(now, comp, "x").Int("i", int64(i)).End()
		New(&want).Begin(now, comp, "x").Int("i", int64(i)).End()
	}
	require.Equal(t, want.String(), got.String())
	require.Equal(t, HashBytes(want.Bytes()), tr.Hash())
}
