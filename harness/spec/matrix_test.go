package spec

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func baseSpec(t *testing.T) Spec {
	t.Helper()
	s, err := Decode([]byte(`{"engine":{"name":"netherite"},"backend":{"kind":"sim"},"workload":{"name":"hello5"}}`))
	require.NoError(t, err)
	return s
}

func TestMatrixExpandsCartesianProductInOrder(t *testing.T) {
	nodes, err := Values(1, 4, 8)
	require.NoError(t, err)
	spec, err := Values("none", "local")
	require.NoError(t, err)
	m := Matrix{Base: baseSpec(t), Axes: []Axis{{Path: "cluster.nodes", Values: nodes}, {Path: "engine.netherite.speculation", Values: spec}}}
	pts, err := m.Expand()
	require.NoError(t, err)
	require.Len(t, pts, 6)
	var got []string
	for _, p := range pts {
		got = append(got, string(p.Values["cluster.nodes"])+"/"+p.Spec.Engine.Knob("speculation"))
		require.Equal(t, 12, p.Spec.Engine.Int("partitions"), "defaults are resolved")
	}
	require.Equal(t, []string{"1/none", "1/local", "4/none", "4/local", "8/none", "8/local"}, got)
	require.Equal(t, 8, pts[5].Spec.Cluster.Nodes)
}

func TestMatrixSetsWorkloadParamsAndEngine(t *testing.T) {
	m := Matrix{Base: baseSpec(t), Axes: []Axis{
		{Path: "spec.engine", Values: []json.RawMessage{[]byte(`{"name":"original"}`), []byte(`{"name":"netherite"}`)}},
		{Path: "workload.params.cities", Values: []json.RawMessage{[]byte(`3`)}},
	}}
	pts, err := m.Expand()
	require.NoError(t, err)
	require.Len(t, pts, 2)
	require.Equal(t, EngineOriginal, pts[0].Spec.Engine.Name)
	require.Equal(t, 4, pts[0].Spec.Engine.Int("controlQueues"))
	require.JSONEq(t, `{"cities":3}`, string(pts[1].Spec.Workload.Params))
}

func TestMatrixErrorsNameTheAxis(t *testing.T) {
	m := Matrix{Base: baseSpec(t), Axes: []Axis{{Path: "cluster.nodes", Values: []json.RawMessage{[]byte(`1`), []byte(`"x"`)}}}}
	_, err := m.Expand()
	require.ErrorContains(t, err, `matrix point {cluster.nodes="x"}: spec.cluster.nodes: want an integer, got "x"`)
	m = Matrix{Base: baseSpec(t), Axes: []Axis{{Path: "cluster.gpus", Values: []json.RawMessage{[]byte(`1`)}}}}
	_, err = m.Expand()
	require.ErrorContains(t, err, "spec.cluster.gpus: unknown field")
	m = Matrix{Base: baseSpec(t), Axes: []Axis{{Path: "cluster.nodes"}}}
	_, err = m.Expand()
	require.ErrorContains(t, err, "no values")
	m = Matrix{Base: baseSpec(t), Axes: []Axis{{Path: "engine.name.x", Values: []json.RawMessage{[]byte(`1`)}}}}
	_, err = m.Expand()
	require.ErrorContains(t, err, "engine.name is not an object")
}

func TestMatrixWithoutAxesIsTheBase(t *testing.T) {
	pts, err := Matrix{Base: baseSpec(t)}.Expand()
	require.NoError(t, err)
	require.Len(t, pts, 1)
	require.Equal(t, EngineNetherite, pts[0].Spec.Engine.Name)
}

func TestApplySetsFieldsWithPlainErrors(t *testing.T) {
	s, err := Apply(baseSpec(t), Axis{Path: "cluster.nodes", Values: []json.RawMessage{[]byte(`8`)}},
		Axis{Path: "cluster.nodes", Values: []json.RawMessage{[]byte(`12`)}})
	require.NoError(t, err)
	require.Equal(t, 12, s.Cluster.Nodes, "later axes win")
	_, err = Apply(baseSpec(t), Axis{Path: "engine.netherite.speculation", Values: []json.RawMessage{[]byte(`"fast"`)}})
	require.EqualError(t, err, `spec.engine.netherite.speculation: "fast": allowed none, local, global`)
}
