package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

// writeFlushes lays flushes of the sample updates into a zeroed log as
// the partition would, and returns the log and the flush offsets.
func writeFlushes(t *testing.T, log []byte, l *commitLog, groups [][]update) []int64 {
	var offs []int64
	for _, g := range groups {
		for i := range g {
			l.lastSeq++
			g[i].Seq = l.lastSeq
			l.append(&g[i])
		}
		data, upTo, err := l.nextFlush(l.lastSeq)
		require.NoError(t, err)
		require.Equal(t, l.lastSeq, upTo)
		require.Zero(t, len(data)%port.PageSize)
		offs = append(offs, l.off)
		copy(log[l.off:], data)
		l.off += int64(len(data))
	}
	return offs
}

func TestScanLogReadsWholeFlushes(t *testing.T) {
	log := make([]byte, 64*port.PageSize)
	l := &commitLog{size: int64(len(log))}
	ups := sampleUpdates()
	writeFlushes(t, log, l, [][]update{ups[:2], ups[2:5], ups[5:]})
	s := scanLog(log, 0, 0, 0, true)
	require.False(t, s.torn)
	require.False(t, s.needMore)
	require.Len(t, s.updates, len(ups))
	require.Equal(t, l.off, s.end)
	for i := range ups {
		require.Equal(t, int64(i+1), s.updates[i].Seq)
	}
	// Split reads: the first chunk ends inside the second flush.
	part := scanLog(log[:l.off-10], 0, 0, 0, false)
	require.True(t, part.needMore)
	rest := scanLog(log[part.end:], part.end, part.end, part.epoch, true)
	require.Len(t, append(part.updates, rest.updates...), len(ups))
}

func TestScanLogCutsTornTailAndStaleEpochs(t *testing.T) {
	log := make([]byte, 64*port.PageSize)
	l := &commitLog{size: int64(len(log))}
	ups := sampleUpdates()
	offs := writeFlushes(t, log, l, [][]update{ups[:2], ups[2:4], ups[4:]})

	torn := append([]byte(nil), log...)
	torn[offs[2]+20] ^= 0xff // a bit flip in the last flush
	s := scanLog(torn, 0, 0, 0, true)
	require.True(t, s.torn)
	require.Equal(t, "record checksum mismatch", s.reason)
	require.Equal(t, offs[2], s.end)
	require.Len(t, s.updates, 4)

	// A new epoch rewrote the second flush shorter; the old third flush
	// behind it is stale and must not be read.
	l2 := &commitLog{size: l.size, off: offs[1], epoch: 1, lastSeq: 2}
	mixed := append([]byte(nil), log...)
	clear(mixed[offs[1]:offs[2]])
	writeFlushes(t, mixed, l2, [][]update{{{Kind: updTimerDue, Num: 1}}})
	require.Equal(t, offs[2], l2.off, "the rewrite ends where the stale flush begins")
	s = scanLog(mixed, 0, 0, 0, true)
	require.True(t, s.torn)
	require.Equal(t, "stale flush of an earlier epoch", s.reason)
	require.Len(t, s.updates, 3)
}

func TestLogFullIsAnError(t *testing.T) {
	l := &commitLog{size: port.PageSize}
	u := update{Kind: updTimerDue, Num: 1, Seq: 1}
	l.append(&u)
	_, _, err := l.nextFlush(l.lastSeq)
	require.NoError(t, err)
	l.off = port.PageSize
	l.append(&u)
	_, _, err = l.nextFlush(l.lastSeq)
	require.ErrorIs(t, err, errLogFull)
}

func TestOversizedRecordIsNamed(t *testing.T) {
	l := &commitLog{size: 64 << 20}
	u := update{Kind: updOrchestrated, Instance: "i", Seq: 1, Output: make([]byte, port.MaxPageWriteBytes)}
	l.append(&u)
	_, _, err := l.nextFlush(l.lastSeq)
	require.ErrorIs(t, err, errRecordTooLong)
	require.NotErrorIs(t, err, errLogFull)
}

func TestBoundReadKeepsAPrefixWithinTheBudget(t *testing.T) {
	rec := make([]byte, 400)
	recs := port.Records{First: 7, Records: [][]byte{rec, rec, rec, rec}, End: 11}
	got := boundRead(recs, 1000)
	require.Len(t, got.Records, 2)
	require.EqualValues(t, 7, got.First)
	require.Len(t, boundRead(recs, 10).Records, 1, "at least one record, however large")
	require.Len(t, boundRead(recs, 1600).Records, 4)
}
