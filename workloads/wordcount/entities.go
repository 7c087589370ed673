package wordcount

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
)

// Entity names and operations.
const (
	MapperEntity  = "Mapper"
	ReducerEntity = "Reducer"
	SummaryEntity = "Summary"

	OpMap        = "map"        // Mapper; input MapInput
	OpCount      = "count"      // Reducer; input: the word
	OpCountN     = "countN"     // Reducer; input WordN (with Params.Combine)
	OpMapperDone = "mapperDone" // Reducer; input MapperDone
	OpReport     = "report"     // Summary; input Report
)

// Entity ids of job j's mappers, reducers and summary.
func MapperID(job, i int) durable.EntityID {
	return durable.EntityID{Name: MapperEntity, Key: "wc" + strconv.Itoa(job) + "-m" + strconv.Itoa(i)}
}

// ReducerID is job j's reducer k.
func ReducerID(job, k int) durable.EntityID {
	return durable.EntityID{Name: ReducerEntity, Key: "wc" + strconv.Itoa(job) + "-r" + strconv.Itoa(k)}
}

// SummaryID is job j's summary.
func SummaryID(job int) durable.EntityID {
	return durable.EntityID{Name: SummaryEntity, Key: "wc" + strconv.Itoa(job)}
}

// MapInput tells mapper Mapper of Job to read book Mapper.
type MapInput struct {
	Job      int `json:"job"`
	Mapper   int `json:"mapper"`
	Mappers  int `json:"mappers"`
	Reducers int `json:"reducers"`
	TopK     int `json:"topK"`
	// Combine: signal once per distinct word with its count (a combiner)
	// instead of once per word.
	Combine bool `json:"combine,omitempty"`
}

// WordN is the input of OpCountN: n more occurrences of a word.
type WordN struct {
	Word string `json:"w"`
	N    int64  `json:"n"`
}

// MapperState records that a mapper ran (Runs counts map operations).
type MapperState struct {
	Runs  int `json:"runs"`
	Words int `json:"words"`
}

// MapperDone is the input of OpMapperDone.
type MapperDone struct {
	MapInput
	Reducer int `json:"reducer"` // the receiving reducer's number
}

// ReducerState is a reducer's counts and bookkeeping.
type ReducerState struct {
	Counts   Counts `json:"counts,omitempty"`
	Words    int64  `json:"words"`
	Done     []int  `json:"done,omitempty"` // mappers done, in arrival order
	Reported bool   `json:"reported"`
}

// WordFreq is a word and its count.
type WordFreq struct {
	Word  string `json:"w"`
	Count int64  `json:"c"`
}

// Report is what a reducer sends the summary.
type Report struct {
	Reducer  int        `json:"reducer"`
	Reducers int        `json:"reducers"`
	Words    int64      `json:"words"`
	Distinct int        `json:"distinct"`
	TopK     int        `json:"topK"`
	Top      []WordFreq `json:"top"`
}

// SummaryState is the summary's reports (by reducer) and, once complete,
// the global top K.
type SummaryState struct {
	Reports  []Report   `json:"reports,omitempty"`
	Complete bool       `json:"complete"`
	Words    int64      `json:"words"`
	Top      []WordFreq `json:"top,omitempty"`
}

// TopK returns the k most frequent words of counts: count descending,
// then word ascending.
func TopK(counts map[string]int64, k int) []WordFreq {
	all := make([]WordFreq, 0, len(counts))
	for w, c := range counts {
		all = append(all, WordFreq{Word: w, Count: c})
	}
	return topOf(all, k)
}

func topOf(all []WordFreq, k int) []WordFreq {
	sort.Slice(all, func(i, j int) bool {
		if all[i].Count != all[j].Count {
			return all[i].Count > all[j].Count
		}
		return all[i].Word < all[j].Word
	})
	if len(all) > k {
		all = all[:k]
	}
	return all
}

func (w *WordCount) mapper(ctx *durable.EntityContext) error {
	if ctx.Operation() != OpMap {
		return fmt.Errorf("mapper %s: unknown operation %q (known: %s)", ctx.ID(), ctx.Operation(), OpMap)
	}
	var in MapInput
	if err := ctx.GetInput(&in); err != nil {
		return fmt.Errorf("mapper %s: %w", ctx.ID(), err)
	}
	var st MapperState
	if err := ctx.GetState(&st); err != nil {
		return fmt.Errorf("mapper %s state: %w", ctx.ID(), err)
	}
	words := w.corpus.Read(in.Mapper)
	if err := emit(ctx, in, words); err != nil {
		return err
	}
	for k := 0; k < in.Reducers; k++ {
		if err := ctx.SignalEntity(ReducerID(in.Job, k), OpMapperDone, MapperDone{MapInput: in, Reducer: k}); err != nil {
			return err
		}
	}
	st.Runs++
	st.Words = len(words)
	return ctx.SetState(st)
}

// emit signals the reducers: once per word, or with in.Combine once per
// distinct word (in order of first appearance) with its count.
func emit(ctx *durable.EntityContext, in MapInput, words []string) error {
	if !in.Combine {
		reducers := make([]durable.EntityID, in.Reducers) // built once per book, not once per word
		for k := range reducers {
			reducers[k] = ReducerID(in.Job, k)
		}
		for _, word := range words {
			if err := ctx.SignalEntity(reducers[ReducerOf(word, in.Reducers)], OpCount, word); err != nil {
				return err
			}
		}
		return nil
	}
	counts := map[string]int64{}
	var order []string
	for _, word := range words {
		if counts[word] == 0 {
			order = append(order, word)
		}
		counts[word]++
	}
	for _, word := range order {
		to := ReducerID(in.Job, ReducerOf(word, in.Reducers))
		if err := ctx.SignalEntity(to, OpCountN, WordN{Word: word, N: counts[word]}); err != nil {
			return err
		}
	}
	return nil
}

func (w *WordCount) reducer(ctx *durable.EntityContext) error {
	// The state goes through the memo (reducermemo.go): the state this
	// reducer wrote last is not decoded again, and counting a word neither
	// sorts nor reflects.
	key := ctx.ID().Key
	v := w.memo.take(key)
	if v == nil {
		v = &reducerView{}
	}
	raw := json.RawMessage(v.scratch[:0])
	if err := ctx.GetState(&raw); err != nil {
		return fmt.Errorf("reducer %s state: %w", ctx.ID(), err)
	}
	v.scratch = raw
	if !v.matches(raw) {
		var st ReducerState
		if len(raw) > 0 {
			if err := st.UnmarshalJSON(raw); err != nil {
				return fmt.Errorf("reducer %s state: %w", ctx.ID(), err)
			}
		}
		v.load(&st)
	}
	var b []byte
	var err error
	switch ctx.Operation() {
	case OpCount:
		var word string
		if err := ctx.GetInput(&word); err != nil {
			return fmt.Errorf("reducer %s count: %w", ctx.ID(), err)
		}
		b, err = v.add(word, 1)
	case OpCountN:
		var in WordN
		if err := ctx.GetInput(&in); err != nil {
			return fmt.Errorf("reducer %s countN: %w", ctx.ID(), err)
		}
		b, err = v.add(in.Word, in.N)
	case OpMapperDone:
		var in MapperDone
		if err := ctx.GetInput(&in); err != nil {
			return fmt.Errorf("reducer %s mapperDone: %w", ctx.ID(), err)
		}
		st := v.state()
		st.Done = append(st.Done, in.Mapper)
		if err := reportIfDone(ctx, &st, in); err != nil {
			return err
		}
		v.load(&st)
		b, err = v.encode()
	default:
		return fmt.Errorf("reducer %s: unknown operation %q (known: %s, %s, %s)", ctx.ID(), ctx.Operation(), OpCount, OpCountN, OpMapperDone)
	}
	if err != nil {
		return fmt.Errorf("reducer %s state: %w", ctx.ID(), err)
	}
	if err := ctx.SetState(json.RawMessage(b)); err != nil {
		return err
	}
	w.memo.put(key, v) // only a state the entity now has
	return nil
}

// reportIfDone sends the top K to the summary once every mapper is done.
func reportIfDone(ctx *durable.EntityContext, st *ReducerState, in MapperDone) error {
	distinct := slices.Clone(st.Done)
	slices.Sort(distinct)
	if st.Reported || len(slices.Compact(distinct)) < in.Mappers {
		return nil
	}
	st.Reported = true
	rep := Report{Reducer: in.Reducer, Reducers: in.Reducers, Words: st.Words, Distinct: len(st.Counts), TopK: in.TopK, Top: TopK(st.Counts, in.TopK)}
	return ctx.SignalEntity(SummaryID(in.Job), OpReport, rep)
}

func summary(ctx *durable.EntityContext) error {
	if ctx.Operation() != OpReport {
		return fmt.Errorf("summary %s: unknown operation %q (known: %s)", ctx.ID(), ctx.Operation(), OpReport)
	}
	var st SummaryState
	if err := ctx.GetState(&st); err != nil {
		return fmt.Errorf("summary %s state: %w", ctx.ID(), err)
	}
	var rep Report
	if err := ctx.GetInput(&rep); err != nil {
		return fmt.Errorf("summary %s report: %w", ctx.ID(), err)
	}
	st.Reports = append(st.Reports, rep)
	sort.SliceStable(st.Reports, func(i, j int) bool { return st.Reports[i].Reducer < st.Reports[j].Reducer })
	st.Words += rep.Words
	if len(st.Reports) == rep.Reducers && !st.Complete {
		st.Complete = true
		st.Top = mergeTop(st.Reports, rep.TopK)
	}
	return ctx.SetState(st)
}

// mergeTop is the global top k from the reducers' top k lists (exact,
// since every word goes to exactly one reducer).
func mergeTop(reports []Report, k int) []WordFreq {
	var all []WordFreq
	for _, r := range reports {
		all = append(all, r.Top...)
	}
	return topOf(all, k)
}
