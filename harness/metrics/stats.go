package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Stat summarizes one metric over repetitions. With one repetition the
// standard deviation and the interval are absent (nil), not zero.
type Stat struct {
	N      int      `json:"n"`
	Mean   float64  `json:"mean"`
	StdDev *float64 `json:"stdDev,omitempty"`
	// CI95Low and CI95High bound the 95% confidence interval of the mean
	// (Student's t with N−1 degrees of freedom).
	CI95Low  *float64 `json:"ci95Low,omitempty"`
	CI95High *float64 `json:"ci95High,omitempty"`
}

// HalfWidth is the 95% interval's half width (0 when absent).
func (s Stat) HalfWidth() float64 {
	if s.CI95High == nil {
		return 0
	}
	return *s.CI95High - s.Mean
}

// Summarize computes mean, sample standard deviation and the 95% t
// interval of xs. NaN or infinite values are an error (they would poison
// the summary silently).
func Summarize(xs []float64) (Stat, error) {
	if len(xs) == 0 {
		return Stat{}, fmt.Errorf("metrics: summarize: no values")
	}
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Stat{}, fmt.Errorf("metrics: summarize: value %d is %v", i, x)
		}
	}
	s := Stat{N: len(xs)}
	if len(xs) == 1 {
		s.Mean = xs[0]
		return s, nil
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
	half := t * sd / math.Sqrt(float64(len(xs)))
	lo, hi := mean-half, mean+half
	s.Mean, s.StdDev, s.CI95Low, s.CI95High = mean, &sd, &lo, &hi
	return s, nil
}
