package port_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

// allOps lists one value of every Op with its stable kind.
var allOps = map[string]port.Op{
	"blob-put":           port.BlobPut{Data: []byte("abc")},
	"blob-get":           port.BlobGet{},
	"blob-delete":        port.BlobDelete{},
	"blob-list":          port.BlobListOp{},
	"blob-sync":          port.BlobSync{},
	"page-create":        port.PageCreate{},
	"page-write":         port.PageWrite{Data: make([]byte, 512)},
	"page-read":          port.PageRead{N: 512},
	"append-create":      port.AppendCreate{},
	"append-block":       port.AppendBlockOp{Data: []byte("ab")},
	"lease-acquire":      port.LeaseAcquire{},
	"lease-renew":        port.LeaseRenew{},
	"lease-release":      port.LeaseRelease{},
	"lease-break":        port.LeaseBreakOp{},
	"queue-create":       port.QueueCreate{},
	"queue-drop":         port.QueueDrop{},
	"queue-enqueue":      port.QueueEnqueue{Data: []byte("m")},
	"queue-dequeue":      port.QueueDequeue{},
	"queue-delete":       port.QueueDelete{},
	"queue-update":       port.QueueUpdate{},
	"queue-peek":         port.QueuePeek{},
	"queue-length":       port.QueueLength{},
	"table-create":       port.TableCreate{},
	"table-drop":         port.TableDrop{},
	"table-insert":       port.TableWriteOp{W: port.TableWrite{Kind: port.Insert}},
	"table-replace":      port.TableWriteOp{W: port.TableWrite{Kind: port.Replace}},
	"table-merge":        port.TableWriteOp{W: port.TableWrite{Kind: port.Merge}},
	"table-upsert":       port.TableWriteOp{W: port.TableWrite{Kind: port.InsertOrReplace}},
	"table-upsert-merge": port.TableWriteOp{W: port.TableWrite{Kind: port.InsertOrMerge}},
	"table-delete":       port.TableWriteOp{W: port.TableWrite{Kind: port.Delete}},
	"table-get":          port.TableGet{},
	"table-query":        port.TableQueryOp{},
	"table-batch":        port.TableBatch{},
	"stream-partitions":  port.StreamPartitions{},
	"stream-append":      port.StreamAppend{Records: [][]byte{[]byte("ab"), []byte("c")}},
	"stream-read":        port.StreamRead{},
	"stream-commit":      port.StreamCommit{},
	"stream-position":    port.StreamPosition{},
}

func TestOpKindsAndMissingStores(t *testing.T) {
	for kind, op := range allOps {
		require.Equal(t, kind, string(op.Kind()))
		_, err := op.Apply(context.Background(), &port.Stores{})
		if kind == "blob-sync" {
			require.NoError(t, err, "no Syncer: writes are durable already")
			continue
		}
		require.ErrorIs(t, err, port.ErrNoStore, kind)
	}
	require.Equal(t, 3, allOps["blob-put"].Bytes())
	require.Equal(t, 512, allOps["page-read"].Bytes())
	require.Equal(t, 3, allOps["stream-append"].Bytes())
}

func TestValidationErrorsNameFieldAndAllowedValues(t *testing.T) {
	err := port.ValidPageRange(100, 512, -1)
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.EqualError(t, err, "bad request: page offset = 100, allowed: a non-negative multiple of 512")
	require.ErrorIs(t, port.ValidQueueName("ab"), port.ErrBadRequest)
	require.NoError(t, port.ValidQueueName("control-01"))
	require.ErrorIs(t, port.ValidQueueName("a--b"), port.ErrBadRequest)
	require.NoError(t, port.ValidTableName("History1"))
	require.ErrorIs(t, port.ValidTableName("1History"), port.ErrBadRequest)
	require.ErrorIs(t, port.ValidLeaseDuration(14*port.Second), port.ErrBadRequest)
	require.NoError(t, port.ValidLeaseDuration(port.LeaseInfinite))
	require.ErrorIs(t, port.ErrETagMismatch, port.ErrConflict)
	be := &port.BatchError{Index: 3, Err: port.ErrNotFound}
	var got *port.BatchError
	require.True(t, errors.As(error(be), &got))
	require.ErrorIs(t, be, port.ErrNotFound)
	require.Equal(t, 4+2*2+8+2*1+3, port.EntitySize(port.Entity{PartitionKey: "p", RowKey: "r",
		Props: map[string][]byte{"k": []byte("abc")}}))
}

func TestOpTargets(t *testing.T) {
	for want, op := range map[string]port.Op{
		"blob/np03/commit":      port.PageWrite{Name: "np03/commit"},
		"blob/b":                port.LeaseAcquire{Name: "b"},
		"queue/control-01":      port.QueueDequeue{Queue: "control-01"},
		"queue/work":            port.QueueEnqueue{Queue: "work"},
		"stream/7":              port.StreamAppend{Partition: 7},
		"table/History/i1":      port.TableBatch{Table: "History", Writes: []port.TableWrite{{Entity: port.Entity{PartitionKey: "i1"}}}},
		"table/History":         port.TableBatch{Table: "History"},
		"table/Inst/i2":         port.TableWriteOp{Table: "Inst", W: port.TableWrite{Kind: port.Insert, Entity: port.Entity{PartitionKey: "i2"}}},
		"table/T/p":             port.TableGet{Table: "T", PartitionKey: "p"},
		"sql/h/i3":              port.SQLCall{Hub: "h", Proc: port.SQLQueryInstance{Instance: "i3"}},
		"sql/h/i4":              port.SQLCall{Hub: "h", Proc: port.SQLCompleteTasks{Results: []port.SQLNewEvent{{Instance: "i4"}}}},
		"sql/h/:tasks":          port.SQLCall{Hub: "h", Proc: port.SQLCompleteTasks{}},
		"sql/h/:orchestrations": port.SQLCall{Hub: "h", Proc: port.SQLLockNextOrchestration{}},
		"sql/h/:schema":         port.SQLCall{Hub: "h"},
		"":                      port.BlobListOp{Prefix: "a"},
	} {
		require.Equal(t, want, op.Target(), "%T", op)
		if a, ok := op.(port.TargetAppender); ok {
			require.Equal(t, "x"+want, string(a.AppendTarget([]byte("x"))), "%T", op)
		}
	}
}

// A chain runs its middlewares outermost first, then applies the op.
func TestChainOrder(t *testing.T) {
	var got []string
	mw := func(name string) port.Middleware {
		return func(next port.Exec) port.Exec {
			return func(ctx context.Context, op port.Op) (any, error) {
				got = append(got, name+">"+string(op.Kind()))
				r, err := next(ctx, op)
				got = append(got, name+"<")
				return r, err
			}
		}
	}
	_, err := port.Chain(&port.Stores{}, mw("a"), mw("b"))(context.Background(), port.QueueLength{Queue: "q"})
	require.ErrorIs(t, err, port.ErrNoStore)
	require.Equal(t, []string{"a>queue-length", "b>queue-length", "b<", "a<"}, got)
}
