package sim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func TestOpTarget(t *testing.T) {
	for want, op := range map[string]port.Op{
		"blob/np03/commit": port.PageWrite{Name: "np03/commit"},
		"blob/b":           port.LeaseAcquire{Name: "b"},
		"queue/control-01": port.QueueDequeue{Queue: "control-01"},
		"queue/work":       port.QueueEnqueue{Queue: "work"},
		"stream/7":         port.StreamAppend{Partition: 7},
		"table/History/i1": port.TableBatch{Table: "History", Writes: []port.TableWrite{{Entity: port.Entity{PartitionKey: "i1"}}}},
		"table/Inst/i2":    port.TableWriteOp{Table: "Inst", W: port.TableWrite{Kind: port.Insert, Entity: port.Entity{PartitionKey: "i2"}}},
		"table/T/p":        port.TableGet{Table: "T", PartitionKey: "p"},
		"log/x":            appendOp{key: "x"},
		"":                 port.BlobListOp{Prefix: "a"},
	} {
		require.Equal(t, want, OpTarget(op), "%T", op)
	}
	require.Equal(t, "kind:blob-list", orderKey("blob-list", ""))
	require.Equal(t, "queue/q", orderKey("queue-enqueue", "queue/q"))
}

// Every op kind engine/port defines is one a model set may name.
func TestOpKindsCoverPort(t *testing.T) {
	for _, op := range []port.Op{
		port.BlobPut{}, port.BlobGet{}, port.BlobDelete{}, port.BlobListOp{}, port.PageCreate{},
		port.PageWrite{}, port.PageRead{}, port.AppendCreate{}, port.AppendBlockOp{},
		port.LeaseAcquire{}, port.LeaseRenew{}, port.LeaseRelease{}, port.LeaseBreakOp{}, port.BlobSync{},
		port.QueueCreate{}, port.QueueDrop{}, port.QueueEnqueue{}, port.QueueDequeue{}, port.QueueDelete{},
		port.QueueUpdate{}, port.QueuePeek{}, port.QueueLength{},
		port.StreamPartitions{}, port.StreamAppend{}, port.StreamRead{}, port.StreamCommit{}, port.StreamPosition{},
		port.TableCreate{}, port.TableDrop{}, port.TableGet{}, port.TableQueryOp{}, port.TableBatch{},
		port.TableWriteOp{W: port.TableWrite{Kind: port.Insert}}, port.TableWriteOp{W: port.TableWrite{Kind: port.Replace}},
		port.TableWriteOp{W: port.TableWrite{Kind: port.Merge}}, port.TableWriteOp{W: port.TableWrite{Kind: port.InsertOrReplace}},
		port.TableWriteOp{W: port.TableWrite{Kind: port.InsertOrMerge}}, port.TableWriteOp{W: port.TableWrite{Kind: port.Delete}},
	} {
		require.Contains(t, OpKinds(), op.Kind(), "%T", op)
	}
}
