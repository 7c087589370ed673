package conformance

import (
	"errors"
	"fmt"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func init() {
	tableCases = []testCase{
		{"insert-get", tableInsertGet},
		{"etag-conditions", tableETag},
		{"batch-atomic", tableBatchAtomic},
		{"batch-bad-input", tableBatchBad},
		{"query-continuation", tableQuery},
		{"scan-all-partitions", tableScan},
		{"limits-and-bad-input", tableLimits},
	}
}

func ent(pk, rk string, kv ...string) port.Entity {
	e := port.Entity{PartitionKey: pk, RowKey: rk, Props: map[string][]byte{}}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Props[kv[i]] = []byte(kv[i+1])
	}
	return e
}

func write(k port.WriteKind, e port.Entity, ifMatch string) port.TableWrite {
	return port.TableWrite{Kind: k, Entity: e, IfMatch: ifMatch}
}

func mkTable(e *env, name string) {
	require.NoError(e.t, e.s.Table.CreateTable(ctx, name))
}

func tableInsertGet(e *env) {
	t, tb := e.t, e.s.Table
	mkTable(e, "History")
	require.ErrorIs(t, tb.CreateTable(ctx, "History"), port.ErrConflict)
	r, err := port.TableWriteOp{Table: "History", W: write(port.Insert, ent("i1", "0001", "Kind", "Started"), "")}.Apply(ctx, e.s)
	require.NoError(t, err)
	etag := r.(string)
	require.NotEmpty(t, etag)
	got, err := tb.Get(ctx, "History", "i1", "0001")
	require.NoError(t, err)
	require.Equal(t, []byte("Started"), got.Props["Kind"])
	require.Equal(t, etag, got.ETag)
	_, err = tb.Write(ctx, "History", write(port.Insert, ent("i1", "0001"), ""))
	require.ErrorIs(t, err, port.ErrConflict, "insert of an existing entity")
	_, err = tb.Get(ctx, "History", "i1", "0002")
	require.ErrorIs(t, err, port.ErrNotFound)
	_, err = tb.Get(ctx, "NoSuchTable", "i1", "0001")
	require.ErrorIs(t, err, port.ErrNotFound)
}

func tableETag(e *env) {
	t, tb := e.t, e.s.Table
	mkTable(e, "Instances")
	e1, err := tb.Write(ctx, "Instances", write(port.Insert, ent("p", "r", "a", "1", "b", "1"), ""))
	require.NoError(t, err)
	e2, err := tb.Write(ctx, "Instances", write(port.Replace, ent("p", "r", "a", "2"), e1))
	require.NoError(t, err)
	require.NotEqual(t, e1, e2)
	_, err = tb.Write(ctx, "Instances", write(port.Replace, ent("p", "r", "a", "3"), e1))
	require.ErrorIs(t, err, port.ErrETagMismatch)
	_, err = tb.Write(ctx, "Instances", write(port.Merge, ent("p", "r", "c", "3"), "*"))
	require.NoError(t, err)
	got, err := tb.Get(ctx, "Instances", "p", "r")
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"a": []byte("2"), "c": []byte("3")}, got.Props, "replace drops b, merge keeps a")
	_, err = tb.Write(ctx, "Instances", write(port.Delete, ent("p", "r"), e2))
	require.ErrorIs(t, err, port.ErrETagMismatch)
	_, err = tb.Write(ctx, "Instances", write(port.Delete, ent("p", "r"), "*"))
	require.NoError(t, err)
	_, err = tb.Write(ctx, "Instances", write(port.Replace, ent("p", "r"), "*"))
	require.ErrorIs(t, err, port.ErrNotFound)
	_, err = tb.Write(ctx, "Instances", write(port.InsertOrReplace, ent("p", "u", "x", "1"), ""))
	require.NoError(t, err)
	_, err = tb.Write(ctx, "Instances", write(port.InsertOrMerge, ent("p", "u", "y", "2"), ""))
	require.NoError(t, err)
	got, err = tb.Get(ctx, "Instances", "p", "u")
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"x": []byte("1"), "y": []byte("2")}, got.Props)
	_, err = tb.Write(ctx, "Instances", write(port.Replace, ent("p", "u"), ""))
	require.ErrorIs(t, err, port.ErrBadRequest, "replace needs If-Match")
}

func tableBatchAtomic(e *env) {
	t, tb := e.t, e.s.Table
	mkTable(e, "Hist")
	etags, err := port.TableBatch{Table: "Hist", Writes: []port.TableWrite{
		write(port.Insert, ent("i", "1", "v", "a"), ""),
		write(port.Insert, ent("i", "2", "v", "b"), ""),
		write(port.Insert, ent("i", "3", "v", "c"), ""),
	}}.Apply(ctx, e.s)
	require.NoError(t, err)
	require.Len(t, etags, 3)
	stale := etags.([]string)[1]
	_, err = tb.Write(ctx, "Hist", write(port.Merge, ent("i", "2", "w", "x"), "*"))
	require.NoError(t, err)
	_, err = tb.Batch(ctx, "Hist", []port.TableWrite{
		write(port.Insert, ent("i", "4", "v", "d"), ""),
		write(port.Replace, ent("i", "1", "v", "A"), "*"),
		write(port.Replace, ent("i", "2", "v", "B"), stale),
		write(port.Delete, ent("i", "3"), "*"),
	})
	require.ErrorIs(t, err, port.ErrETagMismatch)
	var be *port.BatchError
	require.True(t, errors.As(err, &be))
	require.Equal(t, 2, be.Index)
	page, err := tb.Query(ctx, "Hist", port.TableQuery{PartitionKey: "i", PageSize: 100})
	require.NoError(t, err)
	require.Len(t, page.Entities, 3, "the failed batch changed nothing")
	for i, want := range []string{"a", "b", "c"} {
		require.Equal(t, []byte(want), page.Entities[i].Props["v"])
	}
	_, err = tb.Batch(ctx, "Hist", []port.TableWrite{
		write(port.Insert, ent("i", "5"), ""),
		write(port.Insert, ent("i", "1"), ""),
	})
	require.ErrorIs(t, err, port.ErrConflict)
	require.True(t, errors.As(err, &be))
	require.Equal(t, 1, be.Index)
	_, err = tb.Get(ctx, "Hist", "i", "5")
	require.ErrorIs(t, err, port.ErrNotFound)
}

func tableBatchBad(e *env) {
	t, tb := e.t, e.s.Table
	mkTable(e, "Bat")
	var ws []port.TableWrite
	for i := 0; i < port.MaxBatchOps+1; i++ {
		ws = append(ws, write(port.Insert, ent("p", fmt.Sprintf("%03d", i)), ""))
	}
	_, err := tb.Batch(ctx, "Bat", ws)
	require.ErrorIs(t, err, port.ErrBadRequest, "101 operations")
	require.ErrorContains(t, err, "1..100")
	_, err = tb.Batch(ctx, "Bat", ws[:100])
	require.NoError(t, err, "100 operations")
	_, err = tb.Batch(ctx, "Bat", []port.TableWrite{
		write(port.Insert, ent("p", "x1"), ""),
		write(port.Insert, ent("q", "x2"), ""),
	})
	require.ErrorIs(t, err, port.ErrBadRequest, "across partitions")
	var be *port.BatchError
	require.True(t, errors.As(err, &be))
	require.Equal(t, 1, be.Index)
	_, err = tb.Get(ctx, "Bat", "p", "x1")
	require.ErrorIs(t, err, port.ErrNotFound)
	_, err = tb.Batch(ctx, "Bat", nil)
	require.ErrorIs(t, err, port.ErrBadRequest)
}

func tableQuery(e *env) {
	t, tb := e.t, e.s.Table
	mkTable(e, "Rows")
	for _, pk := range []string{"a", "b", "c"} {
		var ws []port.TableWrite
		for i := 24; i >= 0; i-- {
			ws = append(ws, write(port.Insert, ent(pk, fmt.Sprintf("r%02d", i), "pk", pk), ""))
		}
		_, err := tb.Batch(ctx, "Rows", ws)
		require.NoError(t, err)
	}
	var rows []string
	q := port.TableQuery{PartitionKey: "b", PageSize: 10}
	for pages := 1; ; pages++ {
		require.LessOrEqual(t, pages, 3)
		page, err := tb.Query(ctx, "Rows", q)
		require.NoError(t, err)
		for _, en := range page.Entities {
			require.Equal(t, "b", en.PartitionKey)
			rows = append(rows, en.RowKey)
		}
		if q.Continuation = page.Next; q.Continuation == "" {
			require.Equal(t, 3, pages)
			break
		}
	}
	require.Len(t, rows, 25)
	for i, rk := range rows {
		require.Equal(t, fmt.Sprintf("r%02d", i), rk, "row key order")
	}
	page, err := tb.Query(ctx, "Rows", port.TableQuery{PartitionKey: "c", RowKeyFrom: "r20", PageSize: 100})
	require.NoError(t, err)
	require.Len(t, page.Entities, 5)
	require.Empty(t, page.Next)
	page, err = tb.Query(ctx, "Rows", port.TableQuery{PartitionKey: "zzz", PageSize: 100})
	require.NoError(t, err)
	require.Empty(t, page.Entities)
}

// A query over every partition (AllPartitions) lists the rows in
// (partition key, row key) order from PartitionKeyFrom, a page at a time.
func tableScan(e *env) {
	t, tb := e.t, e.s.Table
	mkTable(e, "Scan")
	for _, pk := range []string{"c", "a", "d", "b"} {
		for _, rk := range []string{"", "x"} {
			_, err := tb.Write(ctx, "Scan", write(port.Insert, ent(pk, rk), ""))
			require.NoError(t, err)
		}
	}
	var got []string
	q := port.TableQuery{AllPartitions: true, PartitionKeyFrom: "b", PageSize: 4}
	for pages := 1; ; pages++ {
		require.LessOrEqual(t, pages, 2)
		page, err := tb.Query(ctx, "Scan", q)
		require.NoError(t, err)
		for _, en := range page.Entities {
			got = append(got, en.PartitionKey+"/"+en.RowKey)
		}
		if q.Continuation = page.Next; q.Continuation == "" {
			break
		}
	}
	require.Equal(t, []string{"b/", "b/x", "c/", "c/x", "d/", "d/x"}, got)
	_, err := tb.Query(ctx, "Scan", port.TableQuery{AllPartitions: true, PartitionKey: "a", PageSize: 4})
	require.ErrorIs(t, err, port.ErrBadRequest)
}

func tableLimits(e *env) {
	t, tb := e.t, e.s.Table
	mkTable(e, "Lim")
	big := ent("p", "big")
	for i := 0; i < 18; i++ {
		big.Props[fmt.Sprintf("P%02d", i)] = make([]byte, 60<<10)
	}
	_, err := tb.Write(ctx, "Lim", write(port.Insert, big, ""))
	require.ErrorIs(t, err, port.ErrTooLarge, "entity over 1 MiB")
	require.ErrorContains(t, err, "1048576")
	prop := ent("p", "prop")
	prop.Props["Data"] = make([]byte, port.MaxPropertyBytes+1)
	_, err = tb.Write(ctx, "Lim", write(port.Insert, prop, ""))
	require.ErrorIs(t, err, port.ErrTooLarge, "property over 64 KiB")
	_, err = tb.Write(ctx, "Lim", write(port.Insert, ent("a/b", "r"), ""))
	require.ErrorIs(t, err, port.ErrBadRequest, "'/' in a key")
	_, err = tb.Query(ctx, "Lim", port.TableQuery{PartitionKey: "p", PageSize: 0})
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = tb.Query(ctx, "Lim", port.TableQuery{PartitionKey: "p", PageSize: 1001})
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.ErrorIs(t, tb.CreateTable(ctx, "no-dash"), port.ErrBadRequest)
	_, err = tb.Write(ctx, "Missing", write(port.Insert, ent("p", "r"), ""))
	require.ErrorIs(t, err, port.ErrNotFound)
	require.NoError(t, tb.DeleteTable(ctx, "Lim"))
	require.ErrorIs(t, tb.DeleteTable(ctx, "Lim"), port.ErrNotFound)
}
