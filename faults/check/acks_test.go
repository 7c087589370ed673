package check_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/check"
)

// readMap reads from a map standing in for storage after recovery.
func readMap(m map[string]string) func(string) ([]byte, bool, error) {
	return func(k string) ([]byte, bool, error) {
		v, ok := m[k]
		if !ok {
			return nil, false, nil
		}
		return []byte(v), true, nil
	}
}

func TestAcksAllowLastAckedOrInFlight(t *testing.T) {
	var a check.Acks
	a.Issued("row/a", []byte("1"))
	a.Acked("row/a", []byte("1"))
	a.Issued("row/a", []byte("2")) // in flight at the crash
	a.Issued("row/b", []byte("x")) // never acknowledged
	a.Issued("row/c", []byte("c1"))
	a.Acked("row/c", []byte("c1"))
	a.Issued("row/c", nil) // a delete, acknowledged
	a.Acked("row/c", nil)

	for _, ok := range []map[string]string{
		{"row/a": "1"},
		{"row/a": "2", "row/b": "x"},
	} {
		require.NoError(t, a.Survived(readMap(ok)))
	}
	losses, err := a.Check(readMap(map[string]string{"row/b": "y", "row/c": "c1"}))
	require.NoError(t, err)
	require.Len(t, losses, 3)
	err = a.Survived(readMap(map[string]string{"row/b": "y", "row/c": "c1"}))
	var f *check.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, "acknowledged-survives", f.Checker)
	require.EqualError(t, err, `acknowledged-survives: acknowledged writes lost: 3 of 3 keys
  row/a: read (absent), want "1" or "2"
  row/b: read "y", want (absent) or "x"
  row/c: read "c1", want (absent)`)
}

func TestAcksSettleEarlierWritesOnAck(t *testing.T) {
	var a check.Acks
	a.Issued("k", []byte("1"))
	a.Issued("k", []byte("2"))
	a.Acked("k", []byte("2"))
	require.Error(t, a.Survived(readMap(map[string]string{"k": "1"})), "1 was overwritten by an acknowledged 2")
	require.NoError(t, a.Survived(readMap(map[string]string{"k": "2"})))
	a.Acked("other", []byte{}) // acknowledged, never Issued: empty, not absent
	require.Error(t, a.Survived(readMap(map[string]string{"k": "2"})))
	require.NoError(t, a.Survived(readMap(map[string]string{"k": "2", "other": ""})))
}

func TestAcksReadErrorIsWrapped(t *testing.T) {
	var a check.Acks
	a.Acked("k", []byte("v"))
	boom := errors.New("boom")
	_, err := a.Check(func(string) ([]byte, bool, error) { return nil, false, boom })
	require.ErrorIs(t, err, boom)
	require.EqualError(t, err, `acks: read back "k": boom`)
}

// Acknowledged stream appends survive a disk-like crash of mem (streams are
// durable on acknowledgement); an acknowledged but unsynced page write does
// not, and Acks catches it.
func TestAcksOnMemCrash(t *testing.T) {
	ctx := context.Background()
	now := port.Time(0)
	s, err := mem.New(func() port.Time { return now }, mem.Options{Partitions: 1, DiskLike: true})
	require.NoError(t, err)
	var a check.Acks
	recs := [][]byte{[]byte("e1"), []byte("e2")}
	first, err := s.Append(ctx, 0, recs)
	require.NoError(t, err)
	a.AckedRecords("stream/0", first, recs)
	_, err = s.CreatePageBlob(ctx, "log", 512, port.Cond{})
	require.NoError(t, err)
	page := make([]byte, 512)
	page[0] = 7
	_, err = s.WritePages(ctx, "log", 0, page, port.Cond{})
	require.NoError(t, err)
	a.Acked("blob/log", page) // acknowledged, never synced
	s.Crash(zeroRand{})       // every unsynced page reverts

	read := func(k string) ([]byte, bool, error) {
		if k == "blob/log" {
			b, err := s.ReadPages(ctx, "log", 0, 512)
			return b, err == nil, err
		}
		pos, err := strconv.ParseInt(strings.TrimPrefix(k, "stream/0@"), 10, 64)
		require.NoError(t, err, k)
		recs, err := s.Read(ctx, 0, pos, 1)
		if err != nil || len(recs.Records) == 0 {
			return nil, false, err
		}
		return recs.Records[0], true, nil
	}
	losses, err := a.Check(read)
	require.NoError(t, err)
	require.Len(t, losses, 1)
	require.Equal(t, "blob/log", losses[0].Key)
}

type zeroRand struct{}

func (zeroRand) Uint64() uint64 { return 0 }
