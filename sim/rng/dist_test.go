package rng

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

const nSamples = 200000

func TestConst(t *testing.T) {
	m, sd := moments(Const(4.5), 1, 1000)
	require.Equal(t, 4.5, m)
	require.InDelta(t, 0, sd, 1e-9)
	require.True(t, Dist{}.IsZero())
	require.Equal(t, 0.0, Dist{}.Sample(New(1)))
}

func TestUniform(t *testing.T) {
	d, err := Uniform(2, 6)
	require.NoError(t, err)
	m, sd := moments(d, 1, nSamples)
	require.InDelta(t, 4, m, 0.02)
	require.InDelta(t, 4/math.Sqrt(12), sd, 0.02)
	require.InDelta(t, 4, d.Mean(), 1e-12)
}

func TestExponential(t *testing.T) {
	d, err := Exponential(3)
	require.NoError(t, err)
	m, sd := moments(d, 2, nSamples)
	require.InDelta(t, 3, m, 0.03)
	require.InDelta(t, 3, sd, 0.05)
}

func TestNormal(t *testing.T) {
	d, err := Normal(10, 2)
	require.NoError(t, err)
	m, sd := moments(d, 3, nSamples)
	require.InDelta(t, 10, m, 0.02)
	require.InDelta(t, 2, sd, 0.02)
}

func TestLogNormal(t *testing.T) {
	d, err := LogNormal(1, 0.5)
	require.NoError(t, err)
	m, sd := moments(d, 4, nSamples)
	wantMean := math.Exp(1 + 0.125)
	wantSD := math.Sqrt((math.Exp(0.25) - 1) * math.Exp(2+0.25))
	require.InDelta(t, wantMean, m, 0.02)
	require.InDelta(t, wantSD, sd, 0.03)
	require.InDelta(t, wantMean, d.Mean(), 1e-12)
}

func TestZipfFrequencies(t *testing.T) {
	for _, s := range []float64{0.8, 1, 1.5} {
		const n = 20
		d, err := Zipf(s, n)
		require.NoError(t, err)
		var norm float64
		for k := 1; k <= n; k++ {
			norm += math.Pow(float64(k), -s)
		}
		counts := make([]int, n+1)
		r := New(5)
		for i := 0; i < nSamples; i++ {
			x := d.Sample(r)
			k := int(x)
			require.Equal(t, float64(k), x)
			require.True(t, k >= 1 && k <= n)
			counts[k]++
		}
		for _, k := range []int{1, 2, 5, 20} {
			want := math.Pow(float64(k), -s) / norm
			require.InDelta(t, want, float64(counts[k])/nSamples, 0.005, "s=%g k=%d", s, k)
		}
		m, _ := moments(d, 6, nSamples)
		require.InDelta(t, d.Mean(), m, 0.05*d.Mean())
	}
	one, err := Zipf(1.2, 1)
	require.NoError(t, err)
	require.Equal(t, 1.0, one.Sample(New(1)))
}

func TestZipfLargeN(t *testing.T) {
	d, err := Zipf(1.0, 1_000_000)
	require.NoError(t, err)
	r := New(7)
	var ones int
	for i := 0; i < nSamples; i++ {
		x := d.Sample(r)
		require.True(t, x >= 1 && x <= 1e6)
		if x == 1 {
			ones++
		}
	}
	// H(1e6) ≈ ln(1e6) + 0.5772 ≈ 14.39
	require.InDelta(t, 1/14.3927, float64(ones)/nSamples, 0.003)
}

func TestEmpirical(t *testing.T) {
	d, err := Empirical([]float64{5, 1, 3, 2, 4})
	require.NoError(t, err)
	m, sd := moments(d, 8, nSamples)
	require.InDelta(t, 3, m, 0.02)
	require.InDelta(t, 4/math.Sqrt(12), sd, 0.02) // uniform on [1, 5]
	require.InDelta(t, 3, d.Mean(), 1e-12)
	one, err := Empirical([]float64{7})
	require.NoError(t, err)
	require.Equal(t, 7.0, one.Sample(New(1)))
}

func TestPercentiles(t *testing.T) {
	d, err := Parse("percentiles(p0=0,p50=10,p90=20,p100=40)")
	require.NoError(t, err)
	r := New(9)
	var below10, below20 int
	var sum float64
	for i := 0; i < nSamples; i++ {
		x := d.Sample(r)
		require.True(t, x >= 0 && x <= 40)
		if x <= 10 {
			below10++
		}
		if x <= 20 {
			below20++
		}
		sum += x
	}
	require.InDelta(t, 0.5, float64(below10)/nSamples, 0.005)
	require.InDelta(t, 0.9, float64(below20)/nSamples, 0.005)
	require.InDelta(t, d.Mean(), sum/nSamples, 0.1)
	// Tails clamp when p0 / p100 are not given.
	c, err := Parse("percentiles(p50=10,p99=30)")
	require.NoError(t, err)
	require.Equal(t, 10.0, c.samplePercentile(10))
	require.Equal(t, 30.0, c.samplePercentile(99.5))
	require.InDelta(t, 20.0, c.samplePercentile(74.5), 1e-9)
}

func TestTextRoundTrip(t *testing.T) {
	for _, s := range []string{
		"const(5)", "uniform(lo=1,hi=2.5)", "exp(mean=3)", "normal(mean=10,sd=2)",
		"lognormal(mu=2.3,sigma=0.4)", "zipf(s=1.1,n=1000)", "empirical(1,2,2.5,7)",
		"percentiles(p0=1,p50=10,p99.9=23,p100=40)",
	} {
		d, err := Parse(s)
		require.NoError(t, err, s)
		require.Equal(t, s, d.String())
		d2, err := Parse(d.String())
		require.NoError(t, err)
		require.Equal(t, d, d2)
	}
	d, err := Parse(" uniform( hi = 2 , lo = 1 ) ")
	require.NoError(t, err)
	require.Equal(t, "uniform(lo=1,hi=2)", d.String())
	d, err = Parse("12.5")
	require.NoError(t, err)
	require.Equal(t, Const(12.5), d)
}

func TestJSON(t *testing.T) {
	type model struct {
		Base  Dist `json:"base"`
		Other Dist `json:"other"`
	}
	var m model
	require.NoError(t, json.Unmarshal([]byte(`{"base":"exp(mean=3)","other":2.5}`), &m))
	require.Equal(t, MustParse("exp(3)"), m.Base)
	require.Equal(t, Const(2.5), m.Other)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	require.JSONEq(t, `{"base":"exp(mean=3)","other":"const(2.5)"}`, string(out))
	require.ErrorContains(t, json.Unmarshal([]byte(`{"base":"gamma(1,2)"}`), &m), "allowed: const, uniform")
	require.Error(t, json.Unmarshal([]byte(`{"base":true}`), &m))
}

func TestParseErrors(t *testing.T) {
	for s, want := range map[string]string{
		"exp(mean=-1)":                 "mean must be a finite number >= 0",
		"normal(mean=1)":               "normal takes 2 arguments (mean, sd)",
		"normal(mean=1,sigma=2)":       `unknown argument "sigma", allowed: mean, sd`,
		"uniform(3,1)":                 "hi (1) must be >= lo (3)",
		"zipf(s=0,n=10)":               "s must be a finite number > 0",
		"zipf(s=1,n=2.5)":              "n must be a whole number",
		"empirical()":                  "at least one sample",
		"percentiles(p50=2,p10=3)":     "p must increase",
		"percentiles(p10=2,p50=1)":     "is below",
		"percentiles(p150=2)":          "p must be in [0, 100]",
		"percentiles(x=2)":             "must be pNN=value",
		"lognormal(mu=1,sigma=x)":      "not a number",
		"weibull(1)":                   `unknown distribution "weibull"`,
		"exp":                          "want name(args) or a number",
		"const(NaN)":                   "must be finite",
		"lognormal(mu=1,sigma=1,mu=2)": "takes 2 arguments",
	} {
		_, err := Parse(s)
		require.ErrorContains(t, err, want, s)
	}
}

func TestSupport(t *testing.T) {
	for s, want := range map[string][2]float64{
		"const(3)": {3, 3}, "uniform(1,2)": {1, 2}, "exp(1)": {0, math.Inf(1)},
		"normal(1,0)": {1, 1}, "normal(1,2)": {math.Inf(-1), math.Inf(1)}, "lognormal(0,1)": {0, math.Inf(1)},
		"zipf(1,10)": {1, 10}, "empirical(3,1,2)": {1, 3}, "percentiles(p10=1,p90=5)": {1, 5},
	} {
		lo, hi := MustParse(s).Support()
		require.Equal(t, want, [2]float64{lo, hi}, s)
	}
}
