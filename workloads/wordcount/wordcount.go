package wordcount

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Bounds of the parameters.
const (
	MaxMappers    = 100_000
	MaxReducers   = 100_000
	MaxBookWords  = 10_000_000
	MaxVocabulary = 1_000_000
)

// Params configure WordCount.
type Params struct {
	Mappers    int     `json:"mappers"`    // M (paper: 5 … 150)
	Reducers   int     `json:"reducers"`   // R (paper: 10 … 36)
	BookWords  int     `json:"bookWords"`  // words per book; mappers read at most 5,000
	Vocabulary int     `json:"vocabulary"` // distinct words in the corpus
	ZipfS      float64 `json:"zipfS"`      // Zipf exponent of word ranks
	CorpusSeed uint64  `json:"corpusSeed"` // seed of the vocabulary and the books
	TopK       int     `json:"topK"`       // how many words reducers report (paper: 20)
	// Combine makes mappers signal once per distinct word with its count
	// instead of once per word (default false: the paper's once per word).
	Combine bool `json:"combine,omitempty"`
}

// DefaultParams are the paper's smallest shape, 5×10, with full books.
func DefaultParams() Params {
	return Params{Mappers: 5, Reducers: 10, BookWords: MaxWordsPerBook, Vocabulary: 10_000, ZipfS: 1.0, CorpusSeed: 1, TopK: 20}
}

// Validate reports the first field out of range.
func (p Params) Validate() error {
	switch {
	case p.Mappers < 1 || p.Mappers > MaxMappers:
		return fmt.Errorf("wordcount parameter mappers (M) = %d: must be 1..%d", p.Mappers, MaxMappers)
	case p.Reducers < 1 || p.Reducers > MaxReducers:
		return fmt.Errorf("wordcount parameter reducers (R) = %d: must be 1..%d", p.Reducers, MaxReducers)
	case p.BookWords < 1 || p.BookWords > MaxBookWords:
		return fmt.Errorf("wordcount parameter bookWords = %d: must be 1..%d", p.BookWords, MaxBookWords)
	case p.Vocabulary < 1 || p.Vocabulary > MaxVocabulary:
		return fmt.Errorf("wordcount parameter vocabulary = %d: must be 1..%d", p.Vocabulary, MaxVocabulary)
	case !(p.ZipfS > 0) || p.ZipfS > 100:
		return fmt.Errorf("wordcount parameter zipfS = %v: must be > 0 and at most 100", p.ZipfS)
	case p.TopK < 1 || p.TopK > MaxVocabulary:
		return fmt.Errorf("wordcount parameter topK = %d: must be 1..%d", p.TopK, MaxVocabulary)
	}
	return nil
}

// WordCount is the workload. One instance is one map-reduce job with its
// own mappers, reducers and summary over the same corpus.
type WordCount struct {
	p      Params
	corpus *Corpus
	memo   reducerMemo // the reducers' states in counting form (reducermemo.go)
}

// New validates p and generates the vocabulary.
func New(p Params) (*WordCount, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c, err := NewCorpus(p.CorpusSeed, p.Vocabulary, p.BookWords, p.ZipfS)
	if err != nil {
		return nil, err
	}
	return &WordCount{p: p, corpus: c}, nil
}

// Name is "wordcount".
func (w *WordCount) Name() string { return "wordcount" }

// Parameters returns the parameters.
func (w *WordCount) Parameters() any { return w.p }

// Params returns the parameters.
func (w *WordCount) Params() Params { return w.p }

// Corpus returns the books.
func (w *WordCount) Corpus() *Corpus { return w.corpus }

// Register adds the Mapper, Reducer and Summary entities.
func (w *WordCount) Register(reg *durable.Registry) error {
	for _, e := range []struct {
		name string
		fn   durable.Entity
	}{{MapperEntity, w.mapper}, {ReducerEntity, w.reducer}, {SummaryEntity, summary}} {
		if err := reg.AddEntity(e.name, e.fn); err != nil {
			return fmt.Errorf("wordcount: %w", err)
		}
	}
	return nil
}

// Instance starts job i: one "map" signal per mapper.
func (w *WordCount) Instance(i int, _ *rng.Source) ([]durable.ClientRequest, error) {
	out := make([]durable.ClientRequest, 0, w.p.Mappers)
	for m := 0; m < w.p.Mappers; m++ {
		in := MapInput{Job: i, Mapper: m, Mappers: w.p.Mappers, Reducers: w.p.Reducers, TopK: w.p.TopK, Combine: w.p.Combine}
		payload, err := durable.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("wordcount map input: %w", err)
		}
		out = append(out, durable.ClientRequest{Kind: durable.RequestSignal, Instance: MapperID(i, m).String(), Name: OpMap, Payload: payload})
	}
	return out, nil
}

// WordsPerBook is how many words each mapper counts.
func (w *WordCount) WordsPerBook() int { return min(w.p.BookWords, MaxWordsPerBook) }

// Units: the words counted by one job.
func (w *WordCount) Units() workload.Units {
	return workload.Units{Name: "words", PerInstance: float64(w.p.Mappers * w.WordsPerBook())}
}

// Cost is a placeholder until calibration: reading and splitting a book
// is charged to the map operation, counting a word is tiny.
func (w *WordCount) Cost() workload.CostModel {
	return workload.CostModel{
		OperationMs: map[string]float64{
			MapperEntity + "." + OpMap:         0.002 * float64(w.WordsPerBook()),
			ReducerEntity + "." + OpCount:      0.01,
			ReducerEntity + "." + OpCountN:     0.01,
			ReducerEntity + "." + OpMapperDone: 0.02,
			SummaryEntity + "." + OpReport:     0.05,
		},
		PayloadBytes: map[string]int{
			MapperEntity + "." + OpMap:         80,
			ReducerEntity + "." + OpCount:      8,
			ReducerEntity + "." + OpCountN:     20,
			ReducerEntity + "." + OpMapperDone: 90,
			SummaryEntity + "." + OpReport:     60 + 20*w.p.TopK,
		},
	}
}

var _ workload.EntityCompletion = (*WordCount)(nil)

// DoneEntity is job i's Summary: the job is done once it is complete.
func (w *WordCount) DoneEntity(i int) (durable.EntityID, func(state []byte) (bool, error)) {
	return SummaryID(i), func(state []byte) (bool, error) {
		if len(state) == 0 {
			return false, nil
		}
		var st SummaryState
		if err := workload.Decode("summary "+SummaryID(i).String(), state, &st); err != nil {
			return false, err
		}
		return st.Complete, nil
	}
}
