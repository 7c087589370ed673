package rng

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSameSeedSameStream(t *testing.T) {
	a, b := New(42), New(42)
	for i := 0; i < 1000; i++ {
		require.Equal(t, a.Uint64(), b.Uint64())
	}
	c := New(43)
	require.NotEqual(t, New(42).Uint64(), c.Uint64())
}

// TestGolden pins the generator's output: if this fails, every recorded
// trace hash and result changes meaning.
func TestGolden(t *testing.T) {
	r := New(1)
	got := []uint64{r.Uint64(), r.Uint64(), r.Uint64()}
	want := goldenSeed1
	require.Equal(t, want, got, "generator output changed")
	require.Equal(t, goldenFork, ForkSeed(1, "netherite/p3"))
}

var (
	goldenSeed1 = []uint64{0xb3f2af6d0fc710c5, 0x853b559647364cea, 0x92f89756082a4514}
	goldenFork  = uint64(0xd57effcfbfc62abc)
)

func TestForkIsIndependentOfParentPosition(t *testing.T) {
	a := New(7)
	f1 := a.Fork("netherite/p3").Uint64()
	for i := 0; i < 10; i++ {
		a.Uint64()
	}
	_ = a.Fork("another/consumer")
	f2 := a.Fork("netherite/p3").Uint64()
	require.Equal(t, f1, f2)
	require.NotEqual(t, f1, New(7).Fork("netherite/p4").Uint64())
	require.NotEqual(t, f1, New(8).Fork("netherite/p3").Uint64())
	require.Equal(t, ForkSeed(7, "x"), New(7).Fork("x").Seed())
}

func TestFloat64AndIntn(t *testing.T) {
	r := New(3)
	counts := make([]int, 10)
	const n = 100000
	for i := 0; i < n; i++ {
		f := r.Float64()
		require.True(t, f >= 0 && f < 1)
		k := r.Intn(10)
		require.True(t, k >= 0 && k < 10)
		counts[k]++
	}
	for _, c := range counts {
		require.InDelta(t, n/10, c, 600)
	}
	require.Equal(t, 0, r.Intn(0))
	require.Equal(t, int64(0), r.Int63n(-1))
	require.Equal(t, uint64(0), r.Uint64n(0))
}

func TestBernoulliAndRatio(t *testing.T) {
	r := New(5)
	const n = 100000
	var b, q int
	for i := 0; i < n; i++ {
		if r.Bernoulli(0.3) {
			b++
		}
		if r.Ratio(1, 4) {
			q++
		}
	}
	require.InDelta(t, 0.3, float64(b)/n, 0.01)
	require.InDelta(t, 0.25, float64(q)/n, 0.01)
	require.False(t, r.Bernoulli(0))
	require.True(t, r.Bernoulli(1))
	require.False(t, r.Ratio(0, 5))
	require.True(t, r.Ratio(5, 5))
	require.False(t, r.Ratio(1, 0))
}

func TestShuffleIsPermutation(t *testing.T) {
	r := New(9)
	xs := []int{0, 1, 2, 3, 4, 5, 6, 7}
	r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	seen := map[int]bool{}
	for _, x := range xs {
		seen[x] = true
	}
	require.Len(t, seen, 8)
}

func TestSampleAllocatesNothing(t *testing.T) {
	r := New(1)
	ds := []Dist{
		Const(1), MustParse("uniform(1,2)"), MustParse("exp(mean=3)"), MustParse("normal(10,2)"),
		MustParse("lognormal(1,0.5)"), MustParse("zipf(s=1,n=1000)"), MustParse("empirical(1,2,3)"),
		MustParse("percentiles(p0=1,p50=2,p100=3)"),
	}
	for _, d := range ds {
		allocs := testing.AllocsPerRun(100, func() { _ = d.Sample(r) })
		require.Zero(t, allocs, d.String())
	}
}

func moments(d Dist, seed uint64, n int) (mean, sd float64) {
	r := New(seed)
	var sum, sum2 float64
	for i := 0; i < n; i++ {
		x := d.Sample(r)
		sum += x
		sum2 += x * x
	}
	mean = sum / float64(n)
	return mean, math.Sqrt(sum2/float64(n) - mean*mean)
}
