package harness

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

func TestParseShard(t *testing.T) {
	sh, err := ParseShard("3/8")
	require.NoError(t, err)
	require.Equal(t, Shard{Index: 2, Count: 8}, sh)
	require.Equal(t, "3/8", sh.String())
	for _, bad := range []string{"", "3", "0/8", "9/8", "a/8", "1/0", "-1/2"} {
		_, err := ParseShard(bad)
		require.ErrorContains(t, err, "want i/N", bad)
	}
}

// Three shards of a sweep run every run exactly once between them, and
// MergeRows gives back the unsharded sweep's rows in its order; a lost,
// doubled or foreign shard is refused by name.
func TestShardsMergeIntoTheWholeSweep(t *testing.T) {
	reg := NewRegistry()
	require.NoError(t, reg.Register("netherite", slowFirst))
	a, b := testSpec(t), testSpec(t)
	a.Repetitions, b.Repetitions, b.Seed = 5, 2, 100
	specs := []spec.Spec{a, b}
	want, err := ExecuteAll(context.Background(), reg, specs, Options{Now: fixedNow}, 1)
	require.NoError(t, err)
	require.Len(t, want, 7)

	var shards [][]results.Row
	var all []results.Row
	for i := range 3 {
		rows, err := ExecuteAll(context.Background(), reg, specs, Options{Now: fixedNow, Shard: Shard{Index: i, Count: 3}}, 2)
		require.NoError(t, err)
		shards = append(shards, rows)
		all = append(rows, all...) // shards in any order
	}
	require.Equal(t, []int{3, 2, 2}, []int{len(shards[0]), len(shards[1]), len(shards[2])}, "runs dealt round-robin")
	for i, sh := range shards {
		require.Equal(t, len(sh), Shard{Index: i, Count: 3}.Runs(7))
	}
	merged, err := MergeRows(reg.Catalog(), specs, all)
	require.NoError(t, err)
	require.Equal(t, want, merged)

	_, err = MergeRows(reg.Catalog(), specs, append(shards[0], shards[1]...))
	require.ErrorContains(t, err, "2 of 7 runs missing")
	_, err = MergeRows(reg.Catalog(), specs, append(all, shards[2]...))
	require.ErrorContains(t, err, "appears twice")
	_, err = MergeRows(reg.Catalog(), []spec.Spec{a}, all)
	require.ErrorContains(t, err, "is not a run of this sweep")
}
