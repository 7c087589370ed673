package rng

import "math"

// Portable elementary functions. The standard library's math.Log, Exp and
// Cos use assembly on some architectures (amd64, s390x) and pure Go on
// others, and the compiler may fuse x*y+z into one FMA instruction on some
// (arm64, ppc64, s390x), so their last bits can differ between machines. The
// functions below use only +, -, *, / and exact bit operations (Frexp,
// Ldexp), with every product explicitly rounded by a float64 conversion so
// nothing can be fused: samples are bit-identical on every platform. They
// are accurate to a few ulps, which is plenty for sampling.

const (
	ln2Hi = 6.93147180369123816490e-01 // high bits of ln 2; k*ln2Hi is exact for |k| < 2^20
	ln2Lo = 1.90821492927058770002e-10 // ln 2 - ln2Hi
	sqrt2 = 1.41421356237309504880
)

// ln is the natural logarithm.
func ln(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, e := math.Frexp(x) // x = m·2^e, m in [0.5, 1)
	if m < sqrt2/2 {
		m *= 2
		e--
	}
	// m in [√½, √2): ln m = 2·atanh(s), s = (m-1)/(m+1), |s| < 0.172.
	s := (m - 1) / (m + 1)
	k := float64(e)
	return float64(k*ln2Hi) + (float64(k*ln2Lo) + atanh2(s))
}

// atanh2 returns 2·atanh(s) = ln((1+s)/(1-s)) for |s| <= 0.18.
func atanh2(s float64) float64 {
	s2 := float64(s * s)
	// 2s·Σ s^(2i)/(2i+1), i = 0..12; the next term is below 1e-19.
	sum := 1.0 / 25
	for i := 11; i >= 0; i-- {
		sum = float64(sum*s2) + 1/float64(2*i+1)
	}
	return float64(2 * float64(s*sum))
}

// exp is e^x.
func exp(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 709.782712893384:
		return math.Inf(1)
	case x < -745.1332191019412:
		return 0
	}
	k := math.Floor(float64(x/math.Ln2) + 0.5)
	r := (x - float64(k*ln2Hi)) - float64(k*ln2Lo) // |r| <= 0.35
	return math.Ldexp(1+expm1Series(r), int(k))
}

// expm1Series returns e^r - 1 for |r| <= 0.35 by its Taylor series.
func expm1Series(r float64) float64 {
	// r·Σ r^i/(i+1)!, i = 0..15: terms fall below 1e-20.
	sum := 1.0
	for i := 16; i >= 2; i-- {
		sum = 1 + float64(float64(r*sum)/float64(i))
	}
	return float64(r * sum)
}

// expm1 is e^x - 1, accurate near 0.
func expm1(x float64) float64 {
	if math.Abs(x) <= 0.35 {
		return expm1Series(x)
	}
	return exp(x) - 1
}

// log1p is ln(1+x), accurate near 0.
func log1p(x float64) float64 {
	if math.Abs(x) <= 0.3 {
		// 1+x = (1+s)/(1-s) with s = x/(2+x), |s| <= 0.177.
		return atanh2(x / (2 + x))
	}
	return ln(1 + x)
}

// pow is x^y for x > 0.
func pow(x, y float64) float64 {
	if x == 1 || y == 0 {
		return 1
	}
	return exp(float64(y * ln(x)))
}
