package rng

import "math"

// zipfConsts are the precomputed constants of rejection-inversion sampling
// (Hörmann and Derflinger, "Rejection-inversion to generate variates from
// monotone discrete distributions", 1996) for P(k) ∝ k^-s on 1..n. The
// method needs no table, so n may be huge.
type zipfConsts struct {
	hX1 float64 // H(1.5) - h(1)
	hN  float64 // H(n + 0.5)
	sc  float64 // squeeze: accept at once when k - x <= sc
}

func newZipfConsts(s float64, n int) zipfConsts {
	return zipfConsts{
		hX1: zipfH(1.5, s) - 1,
		hN:  zipfH(float64(n)+0.5, s),
		sc:  2 - zipfHInv(zipfH(2.5, s)-pow(2, -s), s),
	}
}

func (z zipfConsts) sample(r *Source, s float64, n int) int {
	for {
		u := z.hN + float64(r.Float64()*(z.hX1-z.hN))
		x := zipfHInv(u, s)
		k := math.Floor(x + 0.5)
		if k < 1 {
			k = 1
		} else if k > float64(n) {
			k = float64(n)
		}
		if k-x <= z.sc || u >= zipfH(k+0.5, s)-pow(k, -s) {
			return int(k)
		}
	}
}

// zipfH is an antiderivative of x^-s: (x^(1-s) - 1)/(1-s), or log x at s=1,
// written so that it is accurate for s near 1.
func zipfH(x, s float64) float64 {
	lx := ln(x)
	return expm1OverX((1-s)*lx) * lx
}

// zipfHInv inverts zipfH.
func zipfHInv(y, s float64) float64 {
	t := y * (1 - s)
	if t < -1 {
		t = -1 // rounding guard: x^(1-s) cannot be negative
	}
	return exp(log1pOverX(t) * y)
}

// expm1OverX is (e^x - 1)/x, continuous at 0.
func expm1OverX(x float64) float64 {
	if math.Abs(x) < 1e-8 {
		return 1 + x/2
	}
	return expm1(x) / x
}

// log1pOverX is log(1+x)/x, continuous at 0.
func log1pOverX(x float64) float64 {
	if math.Abs(x) < 1e-8 {
		return 1 - x/2
	}
	return log1p(x) / x
}
