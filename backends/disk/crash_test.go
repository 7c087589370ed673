package disk_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/port"
)

const (
	childEnv   = "DFLAB_DISK_CRASH_CHILD_DIR"
	crashPages = 2048
)

func wallClock() port.Time { return port.Time(time.Now().UnixNano()) }

// record i's content: 100 bytes naming i.
func record(i int) []byte {
	r := bytes.Repeat([]byte{byte(i)}, 100)
	binary.LittleEndian.PutUint64(r, uint64(i))
	return r
}

func pageOf(i int) []byte {
	p := bytes.Repeat([]byte{byte(i) | 1}, port.PageSize)
	binary.LittleEndian.PutUint64(p, uint64(i))
	return p
}

// TestCrashChild is the child process of TestCrashKeepsAcknowledged: it
// appends records and writes pages, printing each acknowledged one.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashKeepsAcknowledged")
	}
	s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1})
	require.NoError(t, err)
	_, err = s.CreatePageBlob(ctx, "log", crashPages*port.PageSize, port.Cond{})
	require.NoError(t, err)
	for i := 0; i < crashPages; i++ {
		pos, err := s.Append(ctx, 0, [][]byte{record(i)})
		require.NoError(t, err)
		fmt.Printf("S %d\n", pos)
		_, err = s.WritePages(ctx, "log", int64(i)*port.PageSize, pageOf(i), port.Cond{})
		require.NoError(t, err)
		fmt.Printf("P %d\n", i)
	}
}

func TestCrashKeepsAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	acked := map[string]int{"S": -1, "P": -1}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		var kind string
		var n int
		if _, err := fmt.Sscanf(sc.Text(), "%s %d", &kind, &n); err != nil {
			continue // test framework output
		}
		require.Equal(t, acked[kind]+1, n, "acknowledgements in order")
		acked[kind] = n
		if !killed && acked["P"] >= 300 {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	_ = cmd.Wait()
	require.True(t, killed, "child finished before the kill; acked %v", acked)
	t.Logf("killed after %d stream records, %d pages acknowledged", acked["S"]+1, acked["P"]+1)

	s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1})
	require.NoError(t, err)
	defer s.Close()
	r, err := s.Read(ctx, 0, 0, port.MaxStreamRead)
	require.NoError(t, err)
	require.GreaterOrEqual(t, r.End, int64(acked["S"]+1), "no acknowledged record lost")
	for i, rec := range r.Records {
		require.Equal(t, record(i), rec, "record %d intact, tail clean", i)
	}
	pages, err := s.ReadPages(ctx, "log", 0, crashPages*port.PageSize)
	require.NoError(t, err)
	for i := 0; i <= acked["P"]; i++ {
		require.Equal(t, pageOf(i), pages[i*port.PageSize:(i+1)*port.PageSize], "page %d", i)
	}
	pos, err := s.Append(ctx, 0, [][]byte{[]byte("after")})
	require.NoError(t, err)
	require.Equal(t, r.End, pos, "appends continue after the recovered tail")
}

func TestTornTailIsCut(t *testing.T) {
	clk := func() port.Time { return 0 }
	dir := t.TempDir()
	s, err := disk.Open(dir, clk, disk.Options{Partitions: 1})
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		_, err = s.Append(ctx, 0, [][]byte{record(i)})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	seg := filepath.Join(dir, "stream", "p000.seg")
	good, err := os.ReadFile(seg)
	require.NoError(t, err)
	for _, tail := range [][]byte{
		{100, 0},                         // torn header
		{100, 0, 0, 0, 1, 2, 3, 4, 9, 9}, // length beyond the file
		append([]byte{2, 0, 0, 0, 1, 2, 3, 4}, 'x', 'y'), // bad checksum
	} {
		require.NoError(t, os.WriteFile(seg, append(append([]byte{}, good...), tail...), 0o644))
		s, err = disk.Open(dir, clk, disk.Options{Partitions: 1})
		require.NoError(t, err)
		r, err := s.Read(ctx, 0, 0, 100)
		require.NoError(t, err)
		require.Len(t, r.Records, 5)
		fi, err := os.Stat(seg)
		require.NoError(t, err)
		require.Equal(t, int64(len(good)), fi.Size(), "torn tail cut on open")
		require.NoError(t, s.Close())
	}
}

const sharedChildEnv = "DFLAB_DISK_SHARED_CRASH_CHILD_DIR"

// TestSharedSyncCrashChild is the child of
// TestCrashKeepsAcknowledgedSharedSyncs: four partitions appended at once,
// so their appends share journal syncs; it prints each acknowledgement.
func TestSharedSyncCrashChild(t *testing.T) {
	dir := os.Getenv(sharedChildEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashKeepsAcknowledgedSharedSyncs")
	}
	s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 4})
	require.NoError(t, err)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < crashPages; i++ {
				pos, err := s.Append(ctx, p, [][]byte{record(i), record(i + 1)})
				if err != nil || pos != int64(2*i) {
					panic(fmt.Sprintf("p%d append %d: %d %v", p, i, pos, err))
				}
				mu.Lock()
				fmt.Printf("A %d %d\n", p, i)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// A kill while appends to several partitions share their syncs loses no
// acknowledged append of any of them, and each segment reopens clean.
func TestCrashKeepsAcknowledgedSharedSyncs(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSharedSyncCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), sharedChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	acked := []int{-1, -1, -1, -1}
	sc := bufio.NewScanner(out)
	total, killed := 0, false
	for sc.Scan() {
		var p, n int
		if _, err := fmt.Sscanf(sc.Text(), "A %d %d", &p, &n); err != nil {
			continue // test framework output
		}
		require.Equal(t, acked[p]+1, n, "partition %d acknowledged in order", p)
		acked[p] = n
		if total++; !killed && total >= 400 {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	_ = cmd.Wait()
	require.True(t, killed, "child finished before the kill; acked %v", acked)
	t.Logf("killed after %v appends acknowledged per partition", acked)

	s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 4})
	require.NoError(t, err)
	defer s.Close()
	for p := 0; p < 4; p++ {
		r, err := s.Read(ctx, p, 0, port.MaxStreamRead)
		require.NoError(t, err)
		require.GreaterOrEqual(t, r.End, int64(2*(acked[p]+1)), "partition %d: no acknowledged append lost", p)
		for i, rec := range r.Records {
			require.Equal(t, record(i/2+i%2), rec, "partition %d record %d", p, i)
		}
		pos, err := s.Append(ctx, p, [][]byte{[]byte("after")})
		require.NoError(t, err)
		require.Equal(t, r.End, pos, "appends continue after the recovered tail")
	}
}
