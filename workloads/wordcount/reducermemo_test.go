package wordcount

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	"github.com/stretchr/testify/require"
)

// referenceReducer is the reducer without the memo: decode the whole
// state, apply the operation, encode it again.
func referenceReducer(ctx *durable.EntityContext) error {
	var st ReducerState
	if err := ctx.GetState(&st); err != nil {
		return err
	}
	switch ctx.Operation() {
	case OpCount:
		var word string
		if err := ctx.GetInput(&word); err != nil {
			return err
		}
		if st.Counts == nil {
			st.Counts = Counts{}
		}
		st.Counts[word]++
		st.Words++
	case OpCountN:
		var in WordN
		if err := ctx.GetInput(&in); err != nil {
			return err
		}
		if st.Counts == nil {
			st.Counts = Counts{}
		}
		st.Counts[in.Word] += in.N
		st.Words += in.N
	case OpMapperDone:
		var in MapperDone
		if err := ctx.GetInput(&in); err != nil {
			return err
		}
		st.Done = append(st.Done, in.Mapper)
		if err := reportIfDone(ctx, &st, in); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown operation %q", ctx.Operation())
	}
	return ctx.SetState(st)
}

type reducerOutcome struct {
	State   string
	Exists  bool
	Signals []durable.Message
	Err     bool
}

func runReducer(fn durable.Entity, id durable.EntityID, op string, input, state []byte, exists bool) reducerOutcome {
	ctx := durable.NewEntityContext(id, op, input, state, exists)
	if err := fn(ctx); err != nil {
		return reducerOutcome{Err: true}
	}
	st, ex, _, sig := ctx.Effects()
	return reducerOutcome{State: string(st), Exists: ex, Signals: sig}
}

// The memoized reducer writes the same state bytes and sends the same
// signals as decoding and encoding the whole state on every operation,
// also when the engine hands it a state it did not write last (a batch
// rolled back, another process's state, another job's reducer).
func TestReducerMemoMatchesReference(t *testing.T) {
	w, err := New(Params{Mappers: 3, Reducers: 2, BookWords: 10, Vocabulary: 10, ZipfS: 1, CorpusSeed: 1, TopK: 3})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "the", "zebra", "b", `quo"te`, "<tag>", "é", "mm", "a}b,c", "aa"}
	ids := []durable.EntityID{ReducerID(0, 0), ReducerID(0, 1), ReducerID(1, 0)}
	states := map[string][][]byte{} // every state each reducer had, newest last
	for step := 0; step < 5000; step++ {
		id := ids[r.IntN(len(ids))]
		hist := states[id.Key]
		var state []byte
		if len(hist) > 0 {
			state = hist[len(hist)-1]
			if r.IntN(10) == 0 { // an older state: a rolled-back batch
				state = hist[r.IntN(len(hist))]
			}
		}
		var op string
		var input any
		switch k := r.IntN(20); {
		case k < 15:
			op, input = OpCount, words[r.IntN(len(words))]
		case k < 18:
			op, input = OpCountN, WordN{Word: words[r.IntN(len(words))], N: int64(r.IntN(5))}
		case k < 19:
			op, input = OpMapperDone, MapperDone{MapInput: MapInput{Job: 0, Mapper: r.IntN(3), Mappers: 3, Reducers: 2, TopK: 3}, Reducer: 0}
		default:
			op, input = "bogus", nil
		}
		in, err := durable.Marshal(input)
		require.NoError(t, err)
		want := runReducer(referenceReducer, id, op, in, state, state != nil)
		got := runReducer(w.reducer, id, op, in, state, state != nil)
		require.Equal(t, want, got, "step %d: %s %s on %s", step, op, in, state)
		if !got.Err {
			states[id.Key] = append(hist, []byte(got.State))
		}
	}
	require.NotEmpty(t, states[ids[0].Key])
	var st ReducerState
	require.NoError(t, json.Unmarshal(states[ids[0].Key][len(states[ids[0].Key])-1], &st))
	require.NotZero(t, st.Words)
}
