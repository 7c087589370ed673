package workload

import (
	"fmt"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/stretchr/testify/require"
)

// fake starts one orchestration per instance with a random number as input.
type fake struct{}

func (fake) Name() string                     { return "fake" }
func (fake) Parameters() any                  { return nil }
func (fake) Register(*durable.Registry) error { return nil }
func (fake) Units() Units                     { return Units{Name: "things", PerInstance: 2} }
func (fake) Cost() CostModel                  { return CostModel{} }
func (fake) Check(Run) error                  { return nil }
func (fake) Instance(i int, r *rng.Source) ([]durable.ClientRequest, error) {
	return []durable.ClientRequest{{Kind: durable.RequestStart, Instance: fmt.Sprint("f", i), Name: "F",
		Payload: []byte(fmt.Sprint(r.Intn(1000)))}}, nil
}

func TestGenerateDeterministic(t *testing.T) {
	for _, load := range []Load{ClosedLoad(50), OpenLoad(20, 10*time.Second, Poisson), OpenLoad(20, 10*time.Second, Fixed)} {
		a, err := Generate(fake{}, load, rng.New(7))
		require.NoError(t, err)
		b, err := Generate(fake{}, load, rng.New(7))
		require.NoError(t, err)
		require.Equal(t, a, b, "same seed, same schedule (%v)", load.Kind)
		c, err := Generate(fake{}, load, rng.New(8))
		require.NoError(t, err)
		require.NotEqual(t, a, c, "another seed, another schedule")
	}
}

func TestClosedLoopAllAtOnce(t *testing.T) {
	a, err := Generate(fake{}, ClosedLoad(100), rng.New(1))
	require.NoError(t, err)
	require.Len(t, a, 100)
	for i, x := range a {
		require.Zero(t, x.At)
		require.Equal(t, i, x.Instance)
	}
	require.Equal(t, 200.0, TotalUnits(fake{}, a))
	ids := StartIDs(a)
	require.Len(t, ids, 100)
	require.Equal(t, "f7", ids[7])
	require.Len(t, Starts(a, "F"), 100)
	require.Empty(t, Starts(a, "G"))
}

func TestOpenLoopRate(t *testing.T) {
	// Fixed spacing: exactly r·d arrivals, 1/r apart.
	a, err := Generate(fake{}, OpenLoad(5, 60*time.Second, Fixed), rng.New(1))
	require.NoError(t, err)
	require.Len(t, a, 300)
	require.Equal(t, 200*time.Millisecond, a[1].At-a[0].At)
	// Poisson: about r·d (sd = sqrt(r·d) ≈ 45 for 2000), in order, inside d.
	a, err = Generate(fake{}, OpenLoad(100, 20*time.Second, Poisson), rng.New(3))
	require.NoError(t, err)
	require.InDelta(t, 2000, len(a), 200)
	for k := 1; k < len(a); k++ {
		require.GreaterOrEqual(t, a[k].At, a[k-1].At)
	}
	require.Less(t, a[len(a)-1].At, 20*time.Second)
}

func TestInstanceChoicesIndependentOfCount(t *testing.T) {
	a, err := Generate(fake{}, ClosedLoad(10), rng.New(5))
	require.NoError(t, err)
	b, err := Generate(fake{}, ClosedLoad(20), rng.New(5))
	require.NoError(t, err)
	require.Equal(t, a, b[:10])
}

func TestLoadValidate(t *testing.T) {
	cases := map[string]Load{
		"instances = 0: must be 1..":         ClosedLoad(0),
		"instances = -3":                     ClosedLoad(-3),
		"ratePerSec = 0: must be a finite":   OpenLoad(0, time.Second, Poisson),
		"ratePerSec = -1":                    OpenLoad(-1, time.Second, Poisson),
		"duration = 0s: must be > 0":         OpenLoad(1, 0, Poisson),
		`spacing = "burst": want "poisson"`:  OpenLoad(1, time.Second, "burst"),
		`kind = "": want "closed" or "open"`: {},
		"arrivals: at most":                  OpenLoad(1e9, time.Hour, Fixed),
	}
	for want, l := range cases {
		_, err := Generate(fake{}, l, rng.New(1))
		require.ErrorContains(t, err, want)
		require.ErrorContains(t, err, "fake: load")
	}
}

func TestDecodeParamsStrict(t *testing.T) {
	type P struct {
		A int `json:"a"`
		B int `json:"b"`
	}
	p := P{A: 1, B: 2}
	require.NoError(t, DecodeParams("x", nil, &p))
	require.Equal(t, P{1, 2}, p)
	require.NoError(t, DecodeParams("x", []byte(`{"b":5}`), &p))
	require.Equal(t, P{1, 5}, p)
	require.ErrorContains(t, DecodeParams("x", []byte(`{"c":5}`), &p), `x parameters: json: unknown field "c"`)
}

func TestSimCostsMs(t *testing.T) {
	c := CostModel{ActivityMs: map[string]float64{"A": 1}, OperationMs: map[string]float64{"E.op": 2}}
	require.Equal(t, map[string]float64{"activity:A": 1}, c.SimCostsMs())
	c.OperationMs["E.other"] = 5
	require.Equal(t, 3.5, c.MeanOperationMs(map[string]float64{"E.op": 1, "E.other": 1}))
	require.Zero(t, c.MeanOperationMs(nil))
	require.Equal(t, []string{"A"}, Keys(c.ActivityMs))
}
