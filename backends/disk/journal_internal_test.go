package disk

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func jrecord(p, i int) []byte {
	r := bytes.Repeat([]byte{byte(i)}, 60)
	binary.LittleEndian.PutUint32(r, uint32(p))
	binary.LittleEndian.PutUint32(r[4:], uint32(i))
	return r
}

// crash abandons the store as a process killed at this point: files
// closed, no slot written, the journal left as it is.
func crash(s *Store) {
	for _, seg := range s.st.parts {
		seg.f.Close()
	}
	s.st.jr.f.Close()
	s.st.lock.Close()
	_ = s.files.closeAll()
}

func openJournaled(t *testing.T, dir string, n int) *Store {
	s, err := Open(dir, func() port.Time { return 0 }, Options{Partitions: n})
	require.NoError(t, err)
	return s
}

func requireRecords(t *testing.T, s *Store, p, n int) {
	r, err := s.Read(context.Background(), p, 0, port.MaxStreamRead)
	require.NoError(t, err)
	require.Len(t, r.Records, n, "partition %d", p)
	for i, rec := range r.Records {
		require.Equal(t, jrecord(p, i), rec, "partition %d record %d", p, i)
	}
}

// Appends to several partitions at once share journal syncs, and what
// they acknowledged survives a power loss that kept none of their
// segment writes: Open replays the journal into the segments.
func TestStreamJournalSharesSyncsAndSurvivesLostSegmentWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const parts, each = 6, 40
	s := openJournaled(t, dir, parts)
	s.st.loseSegmentWrites = true
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				pos, err := s.Append(ctx, p, [][]byte{jrecord(p, i)})
				if err != nil || pos != int64(i) {
					panic(fmt.Sprintf("append p%d #%d: %d, %v", p, i, pos, err))
				}
			}
		}()
	}
	wg.Wait()
	s.st.jr.mu.Lock()
	syncs := s.st.jr.syncs
	s.st.jr.mu.Unlock()
	t.Logf("%d appends, %d journal syncs", parts*each, syncs)
	require.Less(t, syncs, uint64(parts*each), "concurrent appends share syncs")
	for p := 0; p < parts; p++ {
		fi, err := os.Stat(filepath.Join(dir, "stream", fmt.Sprintf("p%03d.seg", p)))
		require.NoError(t, err)
		require.Equal(t, int64(segHdr), fi.Size(), "the segment writes were lost")
	}
	crash(s)

	s = openJournaled(t, dir, parts)
	for p := 0; p < parts; p++ {
		requireRecords(t, s, p, each)
	}
	fi, err := os.Stat(filepath.Join(dir, "stream", journalName))
	require.NoError(t, err)
	require.Zero(t, fi.Size(), "the replayed journal is emptied")
	pos, err := s.Append(ctx, 0, [][]byte{jrecord(0, each)})
	require.NoError(t, err)
	require.Equal(t, int64(each), pos)
	require.NoError(t, s.Close())
	s = openJournaled(t, dir, parts)
	defer s.Close()
	requireRecords(t, s, 0, each+1)
}

// An append whose journal record a crash tore was never acknowledged: its
// frame, lost from the segment too, is not there after Open, and appends
// go on where the acknowledged ones end. A record torn anywhere else in
// the journal is where its tail starts, and nothing after it is replayed.
func TestStreamJournalTornTailIsNotReplayed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openJournaled(t, dir, 1)
	for i := 0; i < 4; i++ {
		_, err := s.Append(ctx, 0, [][]byte{jrecord(0, i)})
		require.NoError(t, err)
	}
	s.st.loseSegmentWrites = true
	_, err := s.Append(ctx, 0, [][]byte{jrecord(0, 4)})
	require.NoError(t, err)
	crash(s)
	jpath := filepath.Join(dir, "stream", journalName)
	fi, err := os.Stat(jpath)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(jpath, fi.Size()-7)) // the last record torn

	s = openJournaled(t, dir, 1)
	requireRecords(t, s, 0, 4)
	pos, err := s.Append(ctx, 0, [][]byte{jrecord(0, 4)})
	require.NoError(t, err)
	require.Equal(t, int64(4), pos)
	require.NoError(t, s.Close())
	s = openJournaled(t, dir, 1)
	defer s.Close()
	requireRecords(t, s, 0, 5)
}

// Past journalLimit bytes the segments are synced and the journal starts
// over; what was acknowledged before and after survives a crash.
func TestStreamJournalStartsOverPastItsLimit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openJournaled(t, dir, 1)
	big := bytes.Repeat([]byte("x"), 512<<10)
	n := int(journalLimit/len(big)) + 4
	for i := 0; i < n; i++ {
		_, err := s.Append(ctx, 0, [][]byte{big})
		require.NoError(t, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "stream", journalName))
	require.NoError(t, err)
	require.Less(t, fi.Size(), int64(journalLimit), "the journal started over")
	crash(s)
	s = openJournaled(t, dir, 1)
	defer s.Close()
	r, err := s.Read(ctx, 0, 0, port.MaxStreamRead)
	require.NoError(t, err)
	require.Equal(t, int64(n), r.End)
}
