package rng

import (
	"fmt"
	"math"
	"sort"
)

// Kind names a distribution family.
type Kind uint8

// The distribution families. The zero Dist is Const(0).
const (
	KindConst Kind = iota
	KindUniform
	KindExp
	KindNormal
	KindLogNormal
	KindZipf
	KindEmpirical
	KindPercentiles
)

var kindNames = [...]string{
	KindConst:       "const",
	KindUniform:     "uniform",
	KindExp:         "exp",
	KindNormal:      "normal",
	KindLogNormal:   "lognormal",
	KindZipf:        "zipf",
	KindEmpirical:   "empirical",
	KindPercentiles: "percentiles",
}

// KindNames lists the text names of all families, in a fixed order.
func KindNames() []string { return append([]string(nil), kindNames[:]...) }

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Dist is a distribution of float64 values: a small immutable value that can
// be copied freely, sampled without allocation, printed in a text form
// (String) and parsed back (Parse). Build one with the constructors below or
// Parse; the zero value is Const(0).
type Dist struct {
	kind Kind
	a, b float64 // const: a; uniform: lo, hi; exp: mean; normal: mean, sd; lognormal: mu, sigma; zipf: s
	n    int     // zipf: number of ranks
	z    zipfConsts
	xs   []float64 // empirical: sorted samples; percentiles: values
	ps   []float64 // percentiles: probabilities in [0, 100], increasing
}

// Percentile is one point of a distribution given by percentiles: a fraction
// P of the values (in percent, 0..100) is at most V.
type Percentile struct {
	P float64
	V float64
}

// Const returns the distribution that is always v.
func Const(v float64) Dist { return Dist{kind: KindConst, a: v} }

// Uniform returns the uniform distribution on [lo, hi).
func Uniform(lo, hi float64) (Dist, error) {
	if err := finite("lo", lo); err != nil {
		return Dist{}, err
	}
	if err := finite("hi", hi); err != nil {
		return Dist{}, err
	}
	if hi < lo {
		return Dist{}, fmt.Errorf("uniform: hi (%g) must be >= lo (%g)", hi, lo)
	}
	return Dist{kind: KindUniform, a: lo, b: hi}, nil
}

// Exponential returns the exponential distribution with the given mean.
func Exponential(mean float64) (Dist, error) {
	if err := nonNegative("exp", "mean", mean); err != nil {
		return Dist{}, err
	}
	return Dist{kind: KindExp, a: mean}, nil
}

// Normal returns the normal distribution with mean and standard deviation sd.
func Normal(mean, sd float64) (Dist, error) {
	if err := finite("mean", mean); err != nil {
		return Dist{}, err
	}
	if err := nonNegative("normal", "sd", sd); err != nil {
		return Dist{}, err
	}
	return Dist{kind: KindNormal, a: mean, b: sd}, nil
}

// LogNormal returns the distribution of exp(N(mu, sigma)); its median is
// exp(mu) and its mean exp(mu + sigma²/2).
func LogNormal(mu, sigma float64) (Dist, error) {
	if err := finite("mu", mu); err != nil {
		return Dist{}, err
	}
	if err := nonNegative("lognormal", "sigma", sigma); err != nil {
		return Dist{}, err
	}
	return Dist{kind: KindLogNormal, a: mu, b: sigma}, nil
}

// Zipf returns the Zipf distribution on ranks 1..n with P(k) ∝ k^-s, s > 0.
// Samples are whole numbers (as float64); rank 1 is the most frequent.
func Zipf(s float64, n int) (Dist, error) {
	if !(s > 0) || math.IsInf(s, 0) {
		return Dist{}, fmt.Errorf("zipf: s must be a finite number > 0, got %g", s)
	}
	if n < 1 {
		return Dist{}, fmt.Errorf("zipf: n must be >= 1, got %d", n)
	}
	return Dist{kind: KindZipf, a: s, n: n, z: newZipfConsts(s, n)}, nil
}

// Empirical returns the distribution of the given samples, interpolating
// linearly between neighbouring sorted samples (so it is continuous between
// the smallest and the largest sample). The slice is copied.
func Empirical(samples []float64) (Dist, error) {
	if len(samples) == 0 {
		return Dist{}, fmt.Errorf("empirical: needs at least one sample")
	}
	xs := append([]float64(nil), samples...)
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Dist{}, fmt.Errorf("empirical: sample %d is %g, must be finite", i, x)
		}
	}
	sort.Float64s(xs)
	return Dist{kind: KindEmpirical, xs: xs}, nil
}

// Percentiles returns the distribution given by percentile points,
// interpolating linearly between them. Below the first point it returns the
// first value and above the last point the last value, so give P=0 and P=100
// to bound the tails. P must increase strictly and V must not decrease.
func Percentiles(points []Percentile) (Dist, error) {
	if len(points) == 0 {
		return Dist{}, fmt.Errorf("percentiles: needs at least one point")
	}
	d := Dist{kind: KindPercentiles}
	for i, pt := range points {
		if !(pt.P >= 0 && pt.P <= 100) {
			return Dist{}, fmt.Errorf("percentiles: point %d: p must be in [0, 100], got %g", i, pt.P)
		}
		if err := finite("value", pt.V); err != nil {
			return Dist{}, fmt.Errorf("percentiles: point %d: %w", i, err)
		}
		if i > 0 && pt.P <= points[i-1].P {
			return Dist{}, fmt.Errorf("percentiles: point %d: p must increase (p%g after p%g)", i, pt.P, points[i-1].P)
		}
		if i > 0 && pt.V < points[i-1].V {
			return Dist{}, fmt.Errorf("percentiles: point %d: value %g at p%g is below %g at p%g", i, pt.V, pt.P, points[i-1].V, points[i-1].P)
		}
		d.ps = append(d.ps, pt.P)
		d.xs = append(d.xs, pt.V)
	}
	return d, nil
}

func finite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s must be finite, got %g", name, v)
	}
	return nil
}

func nonNegative(family, name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%s: %s must be a finite number >= 0, got %g", family, name, v)
	}
	return nil
}

// Kind returns d's family.
func (d Dist) Kind() Kind { return d.kind }

// IsZero reports whether d is the zero value, Const(0).
func (d Dist) IsZero() bool { return d.kind == KindConst && d.a == 0 }

// Sample draws one value from d using r. It allocates nothing, draws no
// random numbers for constants, and gives bit-identical results on every
// platform (portable math, no fused multiply-add).
func (d Dist) Sample(r *Source) float64 {
	switch d.kind {
	case KindConst:
		return d.a
	case KindUniform:
		return d.a + float64((d.b-d.a)*r.Float64())
	case KindExp:
		return d.a * r.Exp()
	case KindNormal:
		return d.a + float64(d.b*r.Norm())
	case KindLogNormal:
		return exp(d.a + float64(d.b*r.Norm()))
	case KindZipf:
		return float64(d.z.sample(r, d.a, d.n))
	case KindEmpirical:
		return interpolate(d.xs, r.Float64()*float64(len(d.xs)-1))
	case KindPercentiles:
		return d.samplePercentile(100 * r.Float64())
	}
	return 0
}

// interpolate returns xs at fractional index pos (0 <= pos <= len-1).
func interpolate(xs []float64, pos float64) float64 {
	i := int(pos)
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	f := pos - float64(i)
	return xs[i] + float64(f*(xs[i+1]-xs[i]))
}

func (d Dist) samplePercentile(p float64) float64 {
	ps, xs := d.ps, d.xs
	if p <= ps[0] {
		return xs[0]
	}
	last := len(ps) - 1
	if p >= ps[last] {
		return xs[last]
	}
	// First index with ps[i] > p; p lies in [ps[i-1], ps[i]).
	i := sort.SearchFloat64s(ps, p)
	if i < len(ps) && ps[i] == p {
		return xs[i]
	}
	f := (p - ps[i-1]) / (ps[i] - ps[i-1])
	return xs[i-1] + float64(f*(xs[i]-xs[i-1]))
}

// Mean returns d's mean (computed analytically; O(n) for Zipf, empirical
// and percentile distributions).
func (d Dist) Mean() float64 {
	switch d.kind {
	case KindConst:
		return d.a
	case KindUniform:
		return (d.a + d.b) / 2
	case KindExp:
		return d.a
	case KindNormal:
		return d.a
	case KindLogNormal:
		return exp(d.a + float64(d.b*d.b)/2)
	case KindZipf:
		var num, den float64
		for k := 1; k <= d.n; k++ {
			w := pow(float64(k), -d.a)
			num += float64(k) * w
			den += w
		}
		return num / den
	case KindEmpirical:
		// Mean of the piecewise-linear interpolation between sorted samples.
		if len(d.xs) == 1 {
			return d.xs[0]
		}
		var sum float64
		for i := 1; i < len(d.xs); i++ {
			sum += (d.xs[i-1] + d.xs[i]) / 2
		}
		return sum / float64(len(d.xs)-1)
	case KindPercentiles:
		last := len(d.ps) - 1
		sum := d.xs[0]*d.ps[0] + d.xs[last]*(100-d.ps[last])
		for i := 1; i <= last; i++ {
			sum += (d.xs[i-1] + d.xs[i]) / 2 * (d.ps[i] - d.ps[i-1])
		}
		return sum / 100
	}
	return 0
}

// Support returns the smallest and largest values d can produce (±Inf for
// unbounded families).
func (d Dist) Support() (lo, hi float64) {
	switch d.kind {
	case KindConst:
		return d.a, d.a
	case KindUniform:
		return d.a, d.b
	case KindExp:
		return 0, math.Inf(1)
	case KindNormal:
		if d.b == 0 {
			return d.a, d.a
		}
		return math.Inf(-1), math.Inf(1)
	case KindLogNormal:
		return 0, math.Inf(1)
	case KindZipf:
		return 1, float64(d.n)
	case KindEmpirical, KindPercentiles:
		return d.xs[0], d.xs[len(d.xs)-1]
	}
	return 0, 0
}
