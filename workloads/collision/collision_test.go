package collision

import (
	"encoding/json"
	"testing"

	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

func smallParams(blocks int) Params {
	p := DefaultParams()
	p.Blocks, p.RealLeaf = blocks, 2000
	return p
}

func TestSplit(t *testing.T) {
	require.Equal(t, []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, Split(100, 10))
	require.Equal(t, []int{2, 2, 2, 2, 2, 1, 1, 1, 1, 1}, Split(15, 10))
	require.Equal(t, []int{1, 1}, Split(2, 10))
}

func TestCollisionCompletes(t *testing.T) {
	for _, b := range []int{1, 15, 100} {
		c, err := New(smallParams(b))
		require.NoError(t, err)
		run := workloadtest.RunClosed(t, c, 2, 5)
		require.NoError(t, c.Check(run))
		var res SearchResult
		require.NoError(t, json.Unmarshal(run.Orchestrations[c.InstanceID(0)].Output, &res))
		require.NotEmpty(t, res.Collisions)
		require.Equal(t, float64(b), c.Units().PerInstance)
	}
}

func TestCollisionTreeShape(t *testing.T) {
	c, err := New(smallParams(100))
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, c, 1, 5)
	require.NoError(t, c.Check(run))
	require.Len(t, run.Orchestrations, 1+10, "the root and 10 sub-orchestrations of 10 activities each")
}

func TestCollisionCostIsNominal(t *testing.T) {
	c, err := New(DefaultParams())
	require.NoError(t, err)
	require.InDelta(t, 930.0, c.Cost().ActivityMs[SearchActivity], 1e-9, "10^9 numbers at 0.93 ns, not 10^5")
}

func TestCollisionOracleRejectsMissingCollision(t *testing.T) {
	c, err := New(smallParams(15))
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, c, 1, 5)
	id := c.InstanceID(0)
	var res SearchResult
	require.NoError(t, json.Unmarshal(run.Orchestrations[id].Output, &res))
	res.Collisions = res.Collisions[1:]
	o := run.Orchestrations[id]
	o.Output, err = json.Marshal(res)
	require.NoError(t, err)
	run.Orchestrations[id] = o
	require.ErrorContains(t, c.Check(run), "collision: collision-0 found")
}

func TestCollisionBadParams(t *testing.T) {
	p := DefaultParams()
	p.Blocks = 0
	_, err := New(p)
	require.ErrorContains(t, err, "blocks (B) = 0: must be 1..")
	p = DefaultParams()
	p.RealLeaf = 2_000_000_000
	_, err = New(p)
	require.ErrorContains(t, err, "realLeaf = 2000000000")
	p = DefaultParams()
	p.Arity = 1
	_, err = New(p)
	require.ErrorContains(t, err, "arity = 1: must be 2..")
}
