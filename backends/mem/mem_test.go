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
// properties it had. A write keeps the map it is handed (port.Table), its
// empty values made nil and its values capped, so appending to a value
// read back copies it.
func TestTableReadsSurviveLaterWrites(t *testing.T) {
	ctx := context.Background()
	s, err := mem.New(func() port.Time { return 0 }, mem.Options{})
	require.NoError(t, err)
	require.NoError(t, s.CreateTable(ctx, "tab"))
	spare := make([]byte, 1, 8)
	spare[0] = '1'
	props := map[string][]byte{"a": spare, "e": {}}
	_, err = s.Write(ctx, "tab", port.TableWrite{Kind: port.Insert, Entity: port.Entity{PartitionKey: "p", RowKey: "r", Props: props}})
	require.NoError(t, err)
	before, err := s.Get(ctx, "tab", "p", "r")
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"a": []byte("1"), "e": nil}, before.Props)
	require.Nil(t, before.Props["e"])
	require.Equal(t, 1, cap(before.Props["a"]), "capped: an append copies")
	grown := append(before.Props["a"], 'x')
	require.Equal(t, "1x", string(grown))
	require.Equal(t, byte(0), spare[:2][1], "nothing written into the writer's spare capacity")
	_, err = s.Write(ctx, "tab", port.TableWrite{Kind: port.Merge, IfMatch: "*",
		Entity: port.Entity{PartitionKey: "p", RowKey: "r", Props: map[string][]byte{"c": []byte("2")}}})
	require.NoError(t, err)
	after, err := s.Get(ctx, "tab", "p", "r")
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"a": []byte("1"), "e": nil}, before.Props)
	require.Equal(t, map[string][]byte{"a": []byte("1"), "e": nil, "c": []byte("2")}, after.Props)
	page, err := s.Query(ctx, "tab", port.TableQuery{PartitionKey: "p", PageSize: 10})
	require.NoError(t, err)
	require.Equal(t, after.Props, page.Entities[0].Props)
}
