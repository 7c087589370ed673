package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
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
		data, upTo, at, wrapAt, err := l.nextFlush(l.lastSeq)
		require.NoError(t, err)
		require.Equal(t, l.lastSeq, upTo)
		require.Zero(t, len(data)%port.PageSize)
		if wrapAt >= 0 {
			copy(log[l.phys(wrapAt):], l.wrapPage(wrapAt))
		}
		offs = append(offs, at)
		copy(log[l.phys(at):], data)
		l.off = at + int64(len(data))
	}
	return offs
}

func TestScanLogReadsWholeFlushes(t *testing.T) {
	log := make([]byte, 64*port.PageSize)
	l := &commitLog{size: int64(len(log))}
	ups := sampleUpdates()
	writeFlushes(t, log, l, [][]update{ups[:2], ups[2:5], ups[5:]})
	s := scanLog(log, 0, 0, 0, l.size, true)
	require.False(t, s.torn)
	require.False(t, s.needMore)
	require.Len(t, s.updates, len(ups))
	require.Equal(t, l.off, s.end)
	for i := range ups {
		require.Equal(t, int64(i+1), s.updates[i].Seq)
	}
	// Split reads: the first chunk ends inside the second flush.
	part := scanLog(log[:l.off-10], 0, 0, 0, l.size, false)
	require.True(t, part.needMore)
	rest := scanLog(log[part.end:], part.end, part.end, part.epoch, l.size, true)
	require.Len(t, append(part.updates, rest.updates...), len(ups))
}

func TestScanLogCutsTornTailAndStaleEpochs(t *testing.T) {
	log := make([]byte, 64*port.PageSize)
	l := &commitLog{size: int64(len(log))}
	ups := sampleUpdates()
	offs := writeFlushes(t, log, l, [][]update{ups[:2], ups[2:4], ups[4:]})

	torn := append([]byte(nil), log...)
	torn[offs[2]+20] ^= 0xff // a bit flip in the last flush
	s := scanLog(torn, 0, 0, 0, l.size, true)
	require.True(t, s.torn)
	require.Equal(t, "record checksum mismatch", s.reason)
	require.Equal(t, offs[2], s.end)
	require.Len(t, s.updates, 4)

	// A new epoch rewrote the second flush shorter; the old third flush
	// behind it is stale and must not be read.
	l2 := &commitLog{size: l.size, off: offs[1], epoch: 1, lastSeq: 2}
	mixed := append([]byte(nil), log...)
	clear(mixed[offs[1]:offs[2]])
	writeFlushes(t, mixed, l2, [][]update{{{Body: timerDue{Timer: 1}}}})
	require.Equal(t, offs[2], l2.off, "the rewrite ends where the stale flush begins")
	s = scanLog(mixed, 0, 0, 0, l.size, true)
	require.True(t, s.torn)
	require.Equal(t, "stale flush of an earlier epoch", s.reason)
	require.Len(t, s.updates, 3)
}

// A circular log several laps long: flushes that do not fit in what is
// left of a lap go to the next lap's start behind a wrap marker; the
// reader follows the markers from the live start, stops cleanly at the
// previous lap's leftovers, and still cuts a torn flush after a wrap.
func TestScanLogFollowsWrapsAroundTheCircularLog(t *testing.T) {
	log := make([]byte, 64*port.PageSize)
	l := &commitLog{size: int64(len(log))}
	big := func(seq int64) update {
		return update{Body: activityResult{Activity: seq, Messages: []durable.Message{{To: "o",
			Event: durable.Event{Kind: durable.TaskCompleted, ID: 1, Payload: make([]byte, 1200)}}}}}
	}
	var groups [][]update
	for i := int64(0); i < 70; i++ {
		groups = append(groups, []update{big(i)}) // 3 pages each: laps of 64 pages wrap
	}
	var offs []int64
	for g := range groups {
		if len(offs) > 0 {
			l.begin = offs[len(offs)-1] // a checkpoint after every flush but the last
		}
		offs = append(offs, writeFlushes(t, log, l, groups[g:g+1])...)
	}
	require.Greater(t, l.off, 3*l.size, "several laps")
	wrapped := false
	for i := 1; i < len(offs); i++ {
		wrapped = wrapped || offs[i]-offs[i-1] > 3*port.PageSize
	}
	require.True(t, wrapped, "some flush went to a lap start behind a marker")

	from := offs[len(offs)-2] // the live start: the last two flushes
	data := readLap(log, l.size, from)
	s := scanLog(data, from, from, 0, l.size, true)
	require.False(t, s.torn, s.reason)
	require.Equal(t, l.off, s.end)
	require.Len(t, s.updates, 2)
	require.Equal(t, []int64{69, 70}, []int64{s.updates[0].Seq, s.updates[1].Seq})

	last := offs[len(offs)-1]
	log[l.phys(last)+20] ^= 0xff
	s = scanLog(readLap(log, l.size, from), from, from, 0, l.size, true)
	require.True(t, s.torn)
	require.Equal(t, last, s.end)
	require.Len(t, s.updates, 1)
}

// readLap returns one lap of a circular log in logical order from off.
func readLap(log []byte, size, off int64) []byte {
	out := make([]byte, 0, size)
	for at := off; at < off+size; at++ {
		out = append(out, log[at%size])
	}
	return out
}

func TestLogFullIsAnError(t *testing.T) {
	l := &commitLog{size: 64 * port.PageSize}
	u := update{Body: timerDue{Timer: 1}, Seq: 1}
	l.append(&u)
	_, _, _, _, err := l.nextFlush(l.lastSeq)
	require.NoError(t, err)
	l.off = l.size // a lap later, nothing checkpointed
	l.append(&u)
	_, _, _, _, err = l.nextFlush(l.lastSeq)
	require.ErrorIs(t, err, errLogFull, "the next lap would overwrite the live start")
	l.begin = port.PageSize // a checkpoint moved the live start
	_, _, at, wrapAt, err := l.nextFlush(l.lastSeq)
	require.NoError(t, err)
	require.Equal(t, l.size, at)
	require.Equal(t, int64(-1), wrapAt, "a lap start needs no marker")
}

func TestOversizedRecordIsNamed(t *testing.T) {
	l := &commitLog{size: 64 << 20}
	u := update{Body: orchestrated{Instance: "i", Output: make([]byte, port.MaxPageWriteBytes)}, Seq: 1}
	l.append(&u)
	_, _, _, _, err := l.nextFlush(l.lastSeq)
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

// Where a scan stops is the end of the log only if no flush of this lap
// (at its own offset, epoch not below the last read) or of a later lap
// lies within one flush's length after it: damage before acknowledged
// flushes is corruption, damage to the last flush a torn tail.
func TestAcknowledgedAfterTellsCorruptionFromTornTail(t *testing.T) {
	log := make([]byte, 64*port.PageSize)
	l := &commitLog{size: int64(len(log)), epoch: 1}
	ups := sampleUpdates()
	offs := writeFlushes(t, log, l, [][]update{ups[:2], ups[2:4], ups[4:]})
	window := l.tailWindow(0)
	cases := []struct {
		name    string
		damage  func(b []byte)
		stop    int64
		torn    bool
		follows int64 // -1: nothing follows (a torn tail or the end)
	}{
		{"intact", func([]byte) {}, l.off, false, -1},
		{"flip first flush header", func(b []byte) { b[offs[0]+9] ^= 1 }, offs[0], true, offs[1]},
		{"flip middle flush record", func(b []byte) { b[offs[1]+40] ^= 1 }, offs[1], true, offs[2]},
		{"zero middle flush", func(b []byte) { clear(b[offs[1]:offs[2]]) }, offs[1], false, offs[2]},
		{"flip last flush", func(b []byte) { b[offs[2]+40] ^= 1 }, offs[2], true, -1},
		{"zero last flush", func(b []byte) { clear(b[offs[2]:l.off]) }, offs[2], false, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := append([]byte(nil), log...)
			c.damage(b)
			s := scanLog(b, 0, 0, 0, l.size, true)
			require.Equal(t, c.stop, s.end)
			require.Equal(t, c.torn, s.torn, s.reason)
			at, what, ok := acknowledgedAfter(b, 0, s.end, s.epoch, l.size, min(window+s.end, l.size))
			if c.follows < 0 {
				require.False(t, ok, "%s at %d", what, at)
				return
			}
			require.True(t, ok)
			require.Equal(t, c.follows, at)
			require.Equal(t, "a valid flush-header of epoch 1", what)
		})
	}
	// A flush of a later lap where recovery starts: the checkpoint that
	// said where to start is older than the log (lost or replaced).
	lap := append([]byte(nil), log...)
	later := &commitLog{size: l.size, off: l.size, begin: l.size, epoch: 2}
	writeFlushes(t, lap, later, [][]update{{{Body: timerDue{Timer: 1}}}})
	s := scanLog(lap, 0, 0, 0, l.size, true)
	at, what, ok := acknowledgedAfter(lap, 0, s.end, s.epoch, l.size, window)
	require.True(t, ok)
	require.Zero(t, at)
	require.Equal(t, "a flush-header of a later lap (offset 32768)", what)
}
