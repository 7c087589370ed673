package port

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOpKindsListEveryOp(t *testing.T) {
	ops := []Op{
		BlobPut{}, BlobGet{}, BlobDelete{}, BlobListOp{}, PageCreate{}, PageWrite{}, PageRead{},
		AppendCreate{}, AppendBlockOp{}, LeaseAcquire{}, LeaseRenew{}, LeaseRelease{}, LeaseBreakOp{}, BlobSync{},
		QueueCreate{}, QueueDrop{}, QueueEnqueue{}, QueueDequeue{}, QueueDelete{}, QueueUpdate{}, QueuePeek{}, QueueLength{},
		StreamPartitions{}, StreamAppend{}, StreamRead{}, StreamCommit{}, StreamPosition{},
		TableCreate{}, TableDrop{}, TableGet{}, TableQueryOp{}, TableBatch{},
	}
	for _, k := range []WriteKind{Insert, Replace, Merge, InsertOrReplace, InsertOrMerge, Delete} {
		ops = append(ops, TableWriteOp{W: TableWrite{Kind: k}})
	}
	for _, p := range sqlProcs {
		ops = append(ops, SQLCall{Proc: p})
	}
	seen := map[string]bool{}
	for _, op := range ops {
		require.Contains(t, OpKinds(), string(op.Kind()), "%T", op)
		seen[string(op.Kind())] = true
	}
	require.Len(t, seen, len(OpKinds()), "every listed kind belongs to an op")
	require.True(t, sort.StringsAreSorted(OpKinds()))
}

// TestSQLCallKindIsProcName: the constant kind of each of this package's
// procedures, by value or pointer, is "sql-" + its ProcName.
func TestSQLCallKindIsProcName(t *testing.T) {
	for _, p := range sqlProcs {
		require.Equal(t, OpKind("sql-"+p.ProcName()), SQLCall{Proc: p}.Kind(), "%T", p)
	}
	require.Equal(t, OpKind("sql-checkpoint-orchestration"), SQLCall{Proc: &SQLCheckpoint{}}.Kind())
	require.Equal(t, OpKind("sql-nil"), SQLCall{}.Kind())
}
