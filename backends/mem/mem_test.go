package mem_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
)

func backend(diskLike bool) conformance.Backend {
	return conformance.Backend{
		VirtualTime: true,
		Open: func(t *testing.T, clock func() port.Time) conformance.Instance {
			s, err := mem.New(clock, mem.Options{Partitions: 4, DiskLike: diskLike})
			require.NoError(t, err)
			// mem is the cloud: reopening sees the same state.
			return conformance.Instance{Stores: s.Stores(),
				Reopen: func(*testing.T) *port.Stores { return s.Stores() }}
		},
	}
}

func TestBlob(t *testing.T) {
	t.Run("plain", func(t *testing.T) { conformance.TestBlob(t, backend(false)) })
	t.Run("disk-like", func(t *testing.T) { conformance.TestBlob(t, backend(true)) })
}

func TestQueue(t *testing.T)  { conformance.TestQueue(t, backend(false)) }
func TestTable(t *testing.T)  { conformance.TestTable(t, backend(false)) }
func TestStream(t *testing.T) { conformance.TestStream(t, backend(false)) }

// A read shares the stored entity (read only, port.Table), so a later
// write must store a new one: an entity read before a merge keeps the
// properties it had, and a caller's map given to a write is copied.
func TestTableReadsSurviveLaterWrites(t *testing.T) {
	ctx := context.Background()
	s, err := mem.New(func() port.Time { return 0 }, mem.Options{})
	require.NoError(t, err)
	require.NoError(t, s.CreateTable(ctx, "tab"))
	props := map[string][]byte{"a": []byte("1")}
	_, err = s.Write(ctx, "tab", port.TableWrite{Kind: port.Insert, Entity: port.Entity{PartitionKey: "p", RowKey: "r", Props: props}})
	require.NoError(t, err)
	props["a"][0] = 'x' // the caller's bytes, not the stored ones
	props["b"] = []byte("y")
	before, err := s.Get(ctx, "tab", "p", "r")
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"a": []byte("1")}, before.Props)
	_, err = s.Write(ctx, "tab", port.TableWrite{Kind: port.Merge, IfMatch: "*",
		Entity: port.Entity{PartitionKey: "p", RowKey: "r", Props: map[string][]byte{"c": []byte("2")}}})
	require.NoError(t, err)
	after, err := s.Get(ctx, "tab", "p", "r")
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"a": []byte("1")}, before.Props)
	require.Equal(t, map[string][]byte{"a": []byte("1"), "c": []byte("2")}, after.Props)
	page, err := s.Query(ctx, "tab", port.TableQuery{PartitionKey: "p", PageSize: 10})
	require.NoError(t, err)
	require.Equal(t, after.Props, page.Entities[0].Props)
}
