package rng

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

func TestPortableMath(t *testing.T) {
	r := New(1)
	for i := 0; i < 20000; i++ {
		x := math.Ldexp(r.Float64()+0.5, r.Intn(200)-100) // wide range of magnitudes
		require.Less(t, relErr(ln(x), math.Log(x)), 1e-14, "ln(%g)", x)
		y := (r.Float64() - 0.5) * 1400
		require.Less(t, relErr(exp(y), math.Exp(y)), 1e-13, "exp(%g)", y)
		z := (r.Float64() - 0.5) * 2
		require.Less(t, relErr(expm1(z), math.Expm1(z)), 1e-14, "expm1(%g)", z)
		require.Less(t, relErr(log1p(z*0.9), math.Log1p(z*0.9)), 1e-14, "log1p(%g)", z)
		p := r.Float64() * 1e6
		require.Less(t, relErr(pow(p+1, -1.3), math.Pow(p+1, -1.3)), 1e-13)
	}
	require.True(t, math.IsInf(ln(0), -1))
	require.True(t, math.IsNaN(ln(-1)))
	require.True(t, math.IsInf(exp(1000), 1))
	require.Equal(t, 0.0, exp(-1000))
	require.Equal(t, 1.0, exp(0))
	require.Equal(t, 0.0, ln(1))
	require.Equal(t, 1.0, pow(1, 5))
}
