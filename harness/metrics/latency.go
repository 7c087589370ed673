package metrics

import (
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: latencies are recorded in microseconds from 0 to 24 h
// with 3 significant digits; longer latencies are clamped and counted.
const (
	histMaxUs   = int64(24 * time.Hour / time.Microsecond)
	histSigFigs = 3
	// cdfTicks is the CDF resolution: points per halving of the tail.
	cdfTicks = 5
)

// Latency is a latency histogram.
type Latency struct {
	h       *hdr.Histogram
	clamped int64
}

// NewLatency returns an empty histogram.
func NewLatency() *Latency { return &Latency{h: hdr.New(0, histMaxUs, histSigFigs)} }

// Record adds one latency; negative values count as 0, values above 24 h
// as 24 h (and are counted in Clamped).
func (l *Latency) Record(d time.Duration) {
	us := int64(d / time.Microsecond)
	switch {
	case us < 0:
		us = 0
	case us > histMaxUs:
		us = histMaxUs
		l.clamped++
	}
	_ = l.h.RecordValue(us) // in range by construction
}

// Merge adds every value of o.
func (l *Latency) Merge(o *Latency) {
	l.h.Merge(o.h)
	l.clamped += o.clamped
}

// Count is the number of recorded latencies.
func (l *Latency) Count() int64 { return l.h.TotalCount() }

// QuantileMs is the latency at quantile q in [0, 1], in milliseconds.
func (l *Latency) QuantileMs(q float64) float64 {
	return usToMs(l.h.ValueAtQuantile(q * 100))
}

// Point is one point of a CDF: the fraction of latencies ≤ Ms.
type Point struct {
	Ms       float64 `json:"ms"`
	Fraction float64 `json:"fraction"`
}

// PercentileCDF returns the cumulative distribution at hdr's percentile
// ticks (a few dozen points, more in the tail): the compact form a result
// row keeps. Charts draw CDF, which has every recorded bucket.
func (l *Latency) PercentileCDF() []Point {
	if l.h.TotalCount() == 0 {
		return nil
	}
	var out []Point
	for _, b := range l.h.CumulativeDistributionWithTicks(cdfTicks) {
		p := Point{Ms: usToMs(b.ValueAt), Fraction: b.Quantile / 100}
		if n := len(out); n > 0 && out[n-1].Ms == p.Ms {
			out[n-1] = p // keep the highest fraction at a value
			continue
		}
		out = append(out, p)
	}
	return out
}

// Bucket is one bucket of the histogram: Count latencies between FromMs
// and ToMs (both included; the bucket's width is the histogram's
// resolution there, 3 significant digits).
type Bucket struct {
	FromMs float64 `json:"fromMs"`
	ToMs   float64 `json:"toMs"`
	Count  int64   `json:"count"`
}

// Buckets returns every bucket that holds at least one latency, in
// increasing order of latency.
func (l *Latency) Buckets() []Bucket {
	var out []Bucket
	for _, b := range l.h.Distribution() {
		if b.Count > 0 {
			out = append(out, Bucket{FromMs: usToMs(b.From), ToMs: usToMs(b.To), Count: b.Count})
		}
	}
	return out
}

// CDF returns the cumulative distribution from every recorded bucket:
// one point per bucket, the fraction of latencies at or below the
// bucket's upper end.
func (l *Latency) CDF() []Point {
	total := l.h.TotalCount()
	if total == 0 {
		return nil
	}
	bs := l.Buckets()
	out := make([]Point, 0, len(bs))
	var cum int64
	for _, b := range bs {
		cum += b.Count
		out = append(out, Point{Ms: b.ToMs, Fraction: float64(cum) / float64(total)})
	}
	return out
}

// LatencySummary is what a result keeps of a histogram.
type LatencySummary struct {
	Count   int64   `json:"count"`
	MeanMs  float64 `json:"meanMs"`
	P25Ms   float64 `json:"p25Ms"`
	P50Ms   float64 `json:"p50Ms"`
	P90Ms   float64 `json:"p90Ms"`
	P99Ms   float64 `json:"p99Ms"`
	MaxMs   float64 `json:"maxMs"`
	Clamped int64   `json:"clamped,omitempty"`
	CDF     []Point `json:"cdf,omitempty"`
	// Histogram is the full histogram in HdrHistogram's compressed V2
	// encoding (base64), so repetitions can be merged exactly later.
	Histogram string `json:"histogram,omitempty"`
}

// Summary summarizes the histogram.
func (l *Latency) Summary() (LatencySummary, error) {
	s := LatencySummary{Count: l.h.TotalCount(), Clamped: l.clamped}
	if s.Count == 0 {
		return s, nil
	}
	s.MeanMs = l.h.Mean() / 1000
	s.P25Ms, s.P50Ms, s.P90Ms = l.QuantileMs(0.25), l.QuantileMs(0.50), l.QuantileMs(0.90)
	s.P99Ms, s.MaxMs = l.QuantileMs(0.99), usToMs(l.h.Max())
	s.CDF = l.PercentileCDF()
	enc, err := l.h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return LatencySummary{}, fmt.Errorf("metrics: encode histogram: %w", err)
	}
	s.Histogram = string(enc)
	return s, nil
}

// DecodeLatency rebuilds a histogram from a summary's Histogram field.
func DecodeLatency(s LatencySummary) (*Latency, error) {
	if s.Histogram == "" {
		return NewLatency(), nil
	}
	h, err := hdr.Decode([]byte(s.Histogram))
	if err != nil {
		return nil, fmt.Errorf("metrics: decode histogram: %w", err)
	}
	return &Latency{h: h, clamped: s.Clamped}, nil
}

func usToMs(us int64) float64 { return float64(us) / 1000 }
