package sim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func TestOrderKey(t *testing.T) {
	require.Equal(t, "log/x", appendOp{key: "x"}.Target())
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
		require.Contains(t, OpKinds(), string(op.Kind()), "%T", op)
	}
}
