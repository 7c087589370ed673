package wordcount

import (
	"fmt"
	"slices"

	"github.com/dflab/dflab/workloads/workload"
)

// Expected is the exact result of one job, recounted from the books.
type Expected struct {
	Counts []map[string]int64 // by reducer
	Words  int64
	Top    [][]WordFreq // by reducer
	Global []WordFreq
}

// Expect recounts the first m books for r reducers and top k.
func (c *Corpus) Expect(m, r, k int) Expected {
	e := Expected{Counts: make([]map[string]int64, r), Top: make([][]WordFreq, r)}
	for i := range e.Counts {
		e.Counts[i] = map[string]int64{}
	}
	for b := 0; b < m; b++ {
		for _, word := range c.Read(b) {
			e.Counts[ReducerOf(word, r)][word]++
			e.Words++
		}
	}
	all := map[string]int64{}
	for i, counts := range e.Counts {
		e.Top[i] = TopK(counts, k)
		for w, n := range counts {
			all[w] += n
		}
	}
	e.Global = TopK(all, k)
	return e
}

// Check is the WordCount oracle: for every job in the run, each mapper ran
// once, each reducer's counts equal the recount exactly, each reducer saw
// every mapper done exactly once and reported, and the summary holds every
// reducer's exact top K and the exact global top K.
func (w *WordCount) Check(run workload.Run) error {
	jobs := map[int]MapInput{}
	var order []int
	for _, a := range run.Arrivals {
		if a.Req.Name != OpMap {
			continue
		}
		var in MapInput
		if err := workload.Decode("wordcount map input to "+a.Req.Instance, a.Req.Payload, &in); err != nil {
			return err
		}
		if _, ok := jobs[in.Job]; !ok {
			order = append(order, in.Job)
		}
		jobs[in.Job] = in
	}
	if len(order) == 0 {
		return fmt.Errorf("wordcount: no job was started")
	}
	cache := map[[3]int]Expected{}
	for _, job := range order {
		in := jobs[job]
		key := [3]int{in.Mappers, in.Reducers, in.TopK}
		exp, ok := cache[key]
		if !ok {
			exp = w.corpus.Expect(in.Mappers, in.Reducers, in.TopK)
			cache[key] = exp
		}
		if err := checkJob(run, in, exp); err != nil {
			return fmt.Errorf("wordcount job %d: %w", job, err)
		}
	}
	return nil
}

func checkJob(run workload.Run, in MapInput, exp Expected) error {
	for m := 0; m < in.Mappers; m++ {
		id := MapperID(in.Job, m).String()
		var st MapperState
		if err := workload.Decode("mapper "+id, run.Entities[id], &st); err != nil {
			return err
		}
		if st.Runs != 1 {
			return workload.Violationf(workload.Count(int64(st.Runs), 1), "mapper %s ran %d times, want once", id, st.Runs)
		}
	}
	for k := 0; k < in.Reducers; k++ {
		if err := checkReducer(run, in, k, exp); err != nil {
			return err
		}
	}
	return checkSummary(run, in, exp)
}

func checkReducer(run workload.Run, in MapInput, k int, exp Expected) error {
	id := ReducerID(in.Job, k).String()
	var st ReducerState
	if data, ok := run.Entities[id]; ok {
		if err := workload.Decode("reducer "+id, data, &st); err != nil {
			return err
		}
	}
	want := exp.Counts[k]
	words := workload.Keys(want)
	for _, word := range workload.Keys(st.Counts) {
		if _, ok := want[word]; !ok {
			words = append(words, word)
		}
	}
	var total int64
	for _, word := range words {
		if st.Counts[word] != want[word] {
			return workload.Violationf(workload.Count(st.Counts[word], want[word]), "reducer %s counted %q %d times, want %d", id, word, st.Counts[word], want[word])
		}
		total += want[word]
	}
	if st.Words != total {
		return workload.Violationf(workload.Count(st.Words, total), "reducer %s words = %d, want %d", id, st.Words, total)
	}
	done := slices.Clone(st.Done)
	slices.Sort(done)
	for m := 0; m < in.Mappers; m++ {
		if m >= len(done) || done[m] != m || len(done) != in.Mappers {
			return workload.Violationf(workload.Count(int64(len(done)), int64(in.Mappers)), "reducer %s saw mappers done %v, want each of 0..%d exactly once", id, done, in.Mappers-1)
		}
	}
	if !st.Reported {
		return workload.Violationf(workload.LostEffect, "reducer %s did not report to the summary", id)
	}
	return nil
}

func checkSummary(run workload.Run, in MapInput, exp Expected) error {
	id := SummaryID(in.Job).String()
	var st SummaryState
	if err := workload.Decode("summary "+id, run.Entities[id], &st); err != nil {
		return err
	}
	if !st.Complete || len(st.Reports) != in.Reducers {
		return workload.Violationf(workload.Count(int64(len(st.Reports)), int64(in.Reducers)), "summary %s has %d reports (complete=%v), want %d", id, len(st.Reports), st.Complete, in.Reducers)
	}
	for k, rep := range st.Reports {
		if rep.Reducer != k {
			return fmt.Errorf("summary %s report %d is from reducer %d (duplicate or missing report)", id, k, rep.Reducer)
		}
		if !slices.Equal(rep.Top, exp.Top[k]) {
			return fmt.Errorf("summary %s: reducer %d reported top %v, want %v", id, k, rep.Top, exp.Top[k])
		}
	}
	if st.Words != exp.Words {
		return workload.Violationf(workload.Count(st.Words, exp.Words), "summary %s counted %d words, want %d", id, st.Words, exp.Words)
	}
	if !slices.Equal(st.Top, exp.Global) {
		return fmt.Errorf("summary %s top %d = %v, want %v", id, in.TopK, st.Top, exp.Global)
	}
	return nil
}
