package mem_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
)

var ctx = context.Background()

func page(b byte) []byte { return bytes.Repeat([]byte{b}, port.PageSize) }

// crashed builds a disk-like store with synced and unsynced writes, then
// crashes it with seed, and returns the page blob and append blob contents.
func crashed(t *testing.T, seed uint64) (pages, appended []byte, blocks int) {
	clk := conformance.NewClock(conformance.Start)
	s, err := mem.New(clk.Now, mem.Options{DiskLike: true})
	require.NoError(t, err)
	_, err = s.CreatePageBlob(ctx, "log", 8*port.PageSize, port.Cond{})
	require.NoError(t, err)
	_, err = s.WritePages(ctx, "log", 0, page(1), port.Cond{})
	require.NoError(t, err)
	_, err = s.CreateAppendBlob(ctx, "ap", port.Cond{})
	require.NoError(t, err)
	_, err = s.AppendBlock(ctx, "ap", []byte("s0"), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, s.SyncBlob(ctx, "log"))
	require.NoError(t, s.SyncBlob(ctx, "ap"))
	_, err = s.PutBlob(ctx, "meta", []byte("m"), port.Cond{})
	require.NoError(t, err)

	_, err = s.WritePages(ctx, "log", port.PageSize, append(page(2), page(3)...), port.Cond{})
	require.NoError(t, err)
	_, err = s.WritePages(ctx, "log", 0, page(9), port.Cond{})
	require.NoError(t, err)
	for _, blk := range []string{"u1", "u2", "u3"} {
		_, err = s.AppendBlock(ctx, "ap", []byte(blk), port.Cond{})
		require.NoError(t, err)
	}
	require.Equal(t, 2, s.Unsynced("log"))
	require.Equal(t, 3, s.Unsynced("ap"))

	s.Crash(rand.NewPCG(seed, 7))

	require.Equal(t, 0, s.Unsynced("log"))
	meta, err := s.GetBlob(ctx, "meta", port.Range{})
	require.NoError(t, err, "block blobs are durable on acknowledgement")
	require.Equal(t, []byte("m"), meta.Data)
	pages, err = s.ReadPages(ctx, "log", 0, 8*port.PageSize)
	require.NoError(t, err)
	ap, err := s.GetBlob(ctx, "ap", port.Range{})
	require.NoError(t, err)
	return pages, ap.Data, ap.Props.Blocks
}

func TestCrashLosesOnlyUnsyncedWrites(t *testing.T) {
	outcomes := map[string]bool{}
	for seed := uint64(0); seed < 32; seed++ {
		pages, ap, blocks := crashed(t, seed)
		p0 := pages[:port.PageSize]
		require.True(t, bytes.Equal(p0, page(1)) || bytes.Equal(p0, page(9)), "page 0: synced or overwritten")
		require.True(t, bytes.Equal(pages[512:1024], page(2)) || bytes.Equal(pages[512:1024], page(0)))
		require.True(t, bytes.Equal(pages[1024:1536], page(3)) || bytes.Equal(pages[1024:1536], page(0)))
		require.Equal(t, make([]byte, 5*port.PageSize), pages[1536:], "never written")
		full := "s0u1u2u3"
		require.True(t, bytes.HasPrefix([]byte(full), ap), "append keeps a prefix: %q", ap)
		require.True(t, bytes.HasPrefix(ap, []byte("s0")), "synced block survives")
		require.Equal(t, (len(ap)-2)/2+1, blocks)
		outcomes[string(pages[512:1536])+string(ap)] = true

		again, ap2, _ := crashed(t, seed)
		require.Equal(t, pages, again, "same seed, same loss")
		require.Equal(t, ap, ap2)
	}
	require.Greater(t, len(outcomes), 4, "different seeds lose different writes")
}

func TestCrashWithoutDiskLikeKeepsEverything(t *testing.T) {
	clk := conformance.NewClock(conformance.Start)
	s, err := mem.New(clk.Now, mem.Options{})
	require.NoError(t, err)
	_, err = s.CreatePageBlob(ctx, "log", port.PageSize, port.Cond{})
	require.NoError(t, err)
	_, err = s.WritePages(ctx, "log", 0, page(5), port.Cond{})
	require.NoError(t, err)
	s.Crash(rand.NewPCG(1, 2))
	got, err := s.ReadPages(ctx, "log", 0, port.PageSize)
	require.NoError(t, err)
	require.Equal(t, page(5), got)
}

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := mem.New(nil, mem.Options{})
	require.ErrorContains(t, err, "clock")
	_, err = mem.New(func() port.Time { return 0 }, mem.Options{Partitions: -1})
	require.ErrorIs(t, err, port.ErrBadRequest)
}

// CrashBlobs loses the unsynced writes of the matching blobs only.
func TestCrashBlobsLosesOnlyMatchingBlobs(t *testing.T) {
	clk := conformance.NewClock(conformance.Start)
	s, err := mem.New(clk.Now, mem.Options{DiskLike: true})
	require.NoError(t, err)
	for _, name := range []string{"a/log", "b/log"} {
		_, err = s.CreatePageBlob(ctx, name, port.PageSize, port.Cond{})
		require.NoError(t, err)
		require.NoError(t, s.SyncBlob(ctx, name))
		_, err = s.WritePages(ctx, name, 0, page(7), port.Cond{})
		require.NoError(t, err)
	}
	n := s.CrashBlobs(rand.NewPCG(1, 2), func(name string) bool { return name == "b/log" })
	require.Equal(t, 1, n)
	require.Equal(t, 1, s.Unsynced("a/log"), "a/log is not touched")
	require.Equal(t, 0, s.Unsynced("b/log"))
	got, err := s.ReadPages(ctx, "a/log", 0, port.PageSize)
	require.NoError(t, err)
	require.Equal(t, page(7), got)
}
