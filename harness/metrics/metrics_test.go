package metrics

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/meter"
)

func TestThroughputIsUnitsOverFirstStartToLastCompletion(t *testing.T) {
	r, err := NewRecorder(Virtual, 0)
	require.NoError(t, err)
	r.Complete(1*time.Second, 3*time.Second)
	r.Complete(2*time.Second, 5*time.Second)
	r.Complete(1500*time.Millisecond, 2*time.Second)
	r.Fail()
	s, err := r.Set("orchestrations", 2)
	require.NoError(t, err)
	require.Equal(t, Virtual, s.Clock)
	require.Equal(t, int64(3), s.Completed)
	require.Equal(t, int64(1), s.Failed)
	require.Equal(t, 6.0, s.WorkUnits)
	require.Equal(t, 1000.0, s.FirstStartMs)
	require.Equal(t, 5000.0, s.LastCompletionMs)
	require.Equal(t, 1.5, s.ThroughputPerSec) // 6 units / 4 s
	require.NoError(t, s.Validate())
	require.Equal(t, 0.0, Throughput(5, 10, 10))
}

func TestCDFHasEveryRecordedBucketAndTheTail(t *testing.T) {
	l := NewLatency()
	for i := 1; i <= 1000; i++ {
		l.Record(time.Duration(i) * time.Millisecond)
	}
	l.Record(5 * time.Second) // one outlier far out in the tail
	bs := l.Buckets()
	var n int64
	for i, b := range bs {
		require.Positive(t, b.Count)
		require.LessOrEqual(t, b.FromMs, b.ToMs)
		if i > 0 {
			require.Greater(t, b.FromMs, bs[i-1].ToMs)
		}
		n += b.Count
	}
	require.Equal(t, int64(1001), n)
	// 3 significant digits: buckets up to 1 s are at most 512 µs wide, so
	// each whole millisecond has its own, and the outlier has one more.
	require.Len(t, bs, 1001)
	cdf := l.CDF()
	require.Len(t, cdf, len(bs))
	require.InDelta(t, 1000.0/1001, cdf[len(cdf)-2].Fraction, 1e-12)
	require.InDelta(t, 5000, cdf[len(cdf)-1].Ms, 5)
	require.Equal(t, 1.0, cdf[len(cdf)-1].Fraction)
	// the percentile form a result keeps is much coarser
	require.Less(t, len(l.PercentileCDF()), 100)
	require.Nil(t, NewLatency().CDF())
}

func TestLatencyQuantilesAndCDF(t *testing.T) {
	l := NewLatency()
	for i := 1; i <= 1000; i++ {
		l.Record(time.Duration(i) * time.Millisecond)
	}
	s, err := l.Summary()
	require.NoError(t, err)
	require.Equal(t, int64(1000), s.Count)
	require.InDelta(t, 250, s.P25Ms, 1)
	require.InDelta(t, 500, s.P50Ms, 1)
	require.InDelta(t, 900, s.P90Ms, 1)
	require.InDelta(t, 990, s.P99Ms, 1)
	require.InDelta(t, 1000, s.MaxMs, 1)
	require.InDelta(t, 500.5, s.MeanMs, 1)
	require.NotEmpty(t, s.CDF)
	for i := 1; i < len(s.CDF); i++ {
		require.Greater(t, s.CDF[i].Ms, s.CDF[i-1].Ms)
		require.GreaterOrEqual(t, s.CDF[i].Fraction, s.CDF[i-1].Fraction)
	}
	require.Equal(t, 1.0, s.CDF[len(s.CDF)-1].Fraction)

	back, err := DecodeLatency(s)
	require.NoError(t, err)
	require.Equal(t, int64(1000), back.Count())
	require.Equal(t, s.P99Ms, back.QuantileMs(0.99))
	back.Merge(l)
	require.Equal(t, int64(2000), back.Count())
}

func TestLatencyClampsAndEmpty(t *testing.T) {
	l := NewLatency()
	s, err := l.Summary()
	require.NoError(t, err)
	require.Equal(t, LatencySummary{}, s)
	l.Record(-time.Second)
	l.Record(48 * time.Hour)
	s, err = l.Summary()
	require.NoError(t, err)
	require.Equal(t, int64(1), s.Clamped)
	require.Equal(t, 0.0, l.QuantileMs(0))
	require.InDelta(t, 24*3600*1000, s.MaxMs, 24*3600)
}

func TestTimelineHasEveryWindowIncludingStalls(t *testing.T) {
	r, err := NewRecorder(Wall, time.Second)
	require.NoError(t, err)
	r.Complete(0, 500*time.Millisecond)
	r.Complete(0, 900*time.Millisecond)
	r.Complete(2*time.Second, 3500*time.Millisecond)
	s, err := r.Set("transactions", 1)
	require.NoError(t, err)
	require.Len(t, s.Timeline, 4)
	require.Equal(t, int64(2), s.Timeline[0].Completed)
	require.Equal(t, 2.0, s.Timeline[0].ThroughputPerSec)
	require.Equal(t, Window{StartMs: 1000}, s.Timeline[1])
	require.Equal(t, Window{StartMs: 2000}, s.Timeline[2])
	require.Equal(t, 3000.0, s.Timeline[3].StartMs)
	require.InDelta(t, 1500, s.Timeline[3].LatencyP50Ms, 2)
}

func TestRecorderRejectsBadInput(t *testing.T) {
	_, err := NewRecorder("cpu", 0)
	require.ErrorContains(t, err, `clock "cpu" is not one of virtual, wall`)
	_, err = NewRecorder(Wall, -time.Second)
	require.Error(t, err)
	require.Error(t, Set{Clock: Wall, Completed: 1, FirstStartMs: 5}.Validate())
}

func snapshot() meter.Snapshot {
	return meter.Snapshot{
		{Kind: "stream-append", Counts: meter.Counts{Requests: 10, BytesWritten: 3_000_000, Events: 12}},
		{Kind: "page-write", Counts: meter.Counts{Requests: 100, BytesWritten: 2_000_000}},
		{Kind: "page-read", Counts: meter.Counts{Requests: 4, BytesRead: 500_000, Errors: 1}},
		{Kind: "queue-enqueue", Counts: meter.Counts{Requests: 7, BytesWritten: 700}},
	}
}

func TestTrafficPerKindPortAndTotal(t *testing.T) {
	tr := TrafficOf(snapshot())
	require.Equal(t, []string{"page-read", "page-write", "queue-enqueue", "stream-append"}, kinds(tr))
	require.Equal(t, "page", tr.Kinds[0].Port)
	page := tr.Port("page")
	require.Equal(t, int64(104), page.Requests)
	require.Equal(t, int64(1), page.Errors)
	require.Equal(t, 2.0, page.MBWritten)
	require.Equal(t, 0.5, page.MBRead)
	require.Equal(t, int64(12), tr.Port("stream").Events)
	require.Equal(t, TrafficCounts{}, tr.Port("table"))
	require.Equal(t, int64(121), tr.Total.Requests)
	require.InDelta(t, 5.0007, tr.Total.MBWritten, 1e-9)
	_, err := json.Marshal(tr)
	require.NoError(t, err)
}

func kinds(t Traffic) []string {
	var out []string
	for _, k := range t.Kinds {
		out = append(out, k.Kind)
	}
	return out
}

func TestCostPerThousandUnits(t *testing.T) {
	c, err := CostOf(meter.AzureListPrices2024, snapshot(), 0, 500)
	require.NoError(t, err)
	want := 104.0/1e4*0.065 - 4.0/1e4*0.065 + 4.0/1e4*0.005 + 7.0/1e4*0.004 + 12.0/1e6*0.028
	require.InDelta(t, want, c.Dollars, 1e-12)
	require.InDelta(t, want/500*1000, c.DollarsPer1000Units, 1e-12)
	require.Equal(t, meter.AzureListPrices2024.Name, c.PriceList)
	_, err = CostOf(meter.AzureListPrices2024, meter.Snapshot{{Kind: "warp-drive"}}, 0, 1)
	require.ErrorContains(t, err, "warp-drive")
}

func TestCPUBusy(t *testing.T) {
	c := CPUBusy("node1", 4, 2000, 1000)
	require.Equal(t, 0.5, c.BusyFraction)
	require.Equal(t, 0.0, CPUBusy("n", 0, 1, 1).BusyFraction)
}

func TestSummarizeMeanSDAndTInterval(t *testing.T) {
	s, err := Summarize([]float64{10, 12, 14, 16, 18, 20})
	require.NoError(t, err)
	require.Equal(t, 6, s.N)
	require.Equal(t, 15.0, s.Mean)
	sd := math.Sqrt(14) // sample variance of 10..20 step 2 is 14
	require.InDelta(t, sd, *s.StdDev, 1e-12)
	// t(0.975, 5) = 2.570581836...
	require.InDelta(t, 2.5705818366*sd/math.Sqrt(6), s.HalfWidth(), 1e-8)
	require.InDelta(t, 15-s.HalfWidth(), *s.CI95Low, 1e-12)

	one, err := Summarize([]float64{3})
	require.NoError(t, err)
	require.Equal(t, Stat{N: 1, Mean: 3}, one)
	require.Equal(t, 0.0, one.HalfWidth())
	_, err = Summarize(nil)
	require.Error(t, err)
	_, err = Summarize([]float64{1, math.NaN()})
	require.ErrorContains(t, err, "value 1 is NaN")
}
