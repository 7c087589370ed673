package wordcount

import (
	"encoding/json"
	"testing"

	"github.com/dflab/dflab/workloads/workload"
	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

func small() Params {
	return Params{Mappers: 3, Reducers: 4, BookWords: 400, Vocabulary: 300, ZipfS: 1.0, CorpusSeed: 7, TopK: 5}
}

func runSmall(t *testing.T, jobs int) (*WordCount, workload.Run) {
	w, err := New(small())
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, w, jobs, 1)
	require.NoError(t, w.Check(run))
	return w, run
}

func TestWordCountCompletes(t *testing.T) {
	w, run := runSmall(t, 2)
	require.Equal(t, 1200.0, w.Units().PerInstance)
	var st SummaryState
	require.NoError(t, json.Unmarshal(run.Entities[SummaryID(1).String()], &st))
	require.True(t, st.Complete)
	require.Equal(t, int64(1200), st.Words)
	require.Len(t, st.Top, 5)
	// Zipf: the most frequent word is the vocabulary's rank 1.
	require.Equal(t, w.Corpus().Vocabulary()[0], st.Top[0].Word)
}

func TestCorpusDeterministicAndCapped(t *testing.T) {
	a, err := NewCorpus(3, 1000, 7000, 1.1)
	require.NoError(t, err)
	b, err := NewCorpus(3, 1000, 7000, 1.1)
	require.NoError(t, err)
	require.Equal(t, a.Vocabulary(), b.Vocabulary())
	require.Equal(t, a.Book(4), b.Book(4))
	require.NotEqual(t, a.Book(4), a.Book(5))
	require.Len(t, a.Book(0), 7000)
	require.Len(t, a.Read(0), MaxWordsPerBook)
	seen := map[string]bool{}
	for _, v := range a.Vocabulary() {
		require.False(t, seen[v], "vocabulary word %q twice", v)
		seen[v] = true
	}
	c, err := NewCorpus(4, 1000, 7000, 1.1)
	require.NoError(t, err)
	require.NotEqual(t, a.Vocabulary(), c.Vocabulary())
}

func edit[S any](t *testing.T, run workload.Run, id string, f func(*S)) {
	var st S
	require.NoError(t, json.Unmarshal(run.Entities[id], &st))
	f(&st)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	run.Entities[id] = b
}

func TestWordCountOracleRejectsMiscount(t *testing.T) {
	w, run := runSmall(t, 1)
	edit(t, run, ReducerID(0, 2).String(), func(st *ReducerState) {
		word := workload.Keys(st.Counts)[0]
		st.Counts[word]++
		st.Words++
	})
	require.ErrorContains(t, w.Check(run), "reducer @Reducer@wc0-r2 counted")
	require.Equal(t, workload.DuplicateEffect, workload.KindOf(w.Check(run)), "counted once too often")
}

func TestWordCountOracleRejectsDuplicateDone(t *testing.T) {
	w, run := runSmall(t, 1)
	edit(t, run, ReducerID(0, 1).String(), func(st *ReducerState) { st.Done = append(st.Done, 0) })
	require.ErrorContains(t, w.Check(run), "want each of 0..2 exactly once")
	require.Equal(t, workload.DuplicateEffect, workload.KindOf(w.Check(run)))
}

func TestWordCountOracleRejectsWrongTop(t *testing.T) {
	w, run := runSmall(t, 1)
	edit(t, run, SummaryID(0).String(), func(st *SummaryState) { st.Top[0], st.Top[1] = st.Top[1], st.Top[0] })
	require.ErrorContains(t, w.Check(run), "summary @Summary@wc0 top 5")
	require.Equal(t, workload.WrongOutput, workload.KindOf(w.Check(run)))
}

func TestWordCountOracleRejectsMissingReducer(t *testing.T) {
	w, run := runSmall(t, 1)
	delete(run.Entities, ReducerID(0, 3).String())
	require.ErrorContains(t, w.Check(run), "counted")
	require.Equal(t, workload.LostEffect, workload.KindOf(w.Check(run)))
}

func TestWordCountBadParams(t *testing.T) {
	for want, p := range map[string]Params{
		"mappers (M) = 0: must be 1..":  {Reducers: 1, BookWords: 1, Vocabulary: 1, ZipfS: 1, TopK: 1},
		"reducers (R) = 0: must be 1..": {Mappers: 1, BookWords: 1, Vocabulary: 1, ZipfS: 1, TopK: 1},
		"bookWords = -5":                {Mappers: 1, Reducers: 1, BookWords: -5, Vocabulary: 1, ZipfS: 1, TopK: 1},
		"zipfS = 0: must be > 0":        {Mappers: 1, Reducers: 1, BookWords: 1, Vocabulary: 1, TopK: 1},
		"topK = 0":                      {Mappers: 1, Reducers: 1, BookWords: 1, Vocabulary: 1, ZipfS: 1},
	} {
		_, err := New(p)
		require.ErrorContains(t, err, want)
	}
}

func TestDoneEntity(t *testing.T) {
	w, run := runSmall(t, 2)
	id, done := w.DoneEntity(1)
	require.Equal(t, "@Summary@wc1", id.String())
	ok, err := done(run.Entities[id.String()])
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = done(nil)
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = done([]byte(`{"reports":[{"reducer":0}],"complete":false}`))
	require.NoError(t, err)
	require.False(t, ok)
}

func TestWordCountCombined(t *testing.T) {
	p := small()
	p.Combine = true
	w, err := New(p)
	require.NoError(t, err)
	world := workloadtest.NewWorld(t, w)
	run := workloadtest.RunArrivals(t, world, workloadtest.Generate(t, w, workload.ClosedLoad(1), 1))
	require.NoError(t, w.Check(run))
	require.Less(t, world.Steps, 3*400, "fewer signals than words")
}
