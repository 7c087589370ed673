package wordcount

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
)

// A reducer gets one operation per word, and each operation decodes the
// whole state and encodes it again: at the paper's 5,000-word books that
// was most of a WordCount run's CPU. The memo keeps, per reducer, the state
// it encoded last in a form made for counting: the words in sorted order
// beside their counts, and an index from word to position. An operation
// whose state bytes are exactly the bytes the memo encoded last skips the
// decode; counting a word is an index look-up; encoding walks the sorted
// words without sorting a map. The bytes are those ReducerState.MarshalJSON
// writes, so the engines store, send and hash the same state as before: the
// memo is only a cache. Any state it did not write (another process's, a
// rolled-back batch, the first operation) is parsed as before.

// maxMemoReducers bounds the memo; when it is full it starts over.
const maxMemoReducers = 1 << 12

// reducerMemo holds one reducerView per reducer entity (by id). A view is
// taken out while an operation uses it, so two cores that run the same
// reducer at once (the real driver) never share one.
type reducerMemo struct {
	mu    sync.Mutex
	views map[string]*reducerView
}

func (m *reducerMemo) take(id string) *reducerView {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.views[id]
	delete(m.views, id)
	return v
}

func (m *reducerMemo) put(id string, v *reducerView) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.views == nil || len(m.views) >= maxMemoReducers {
		m.views = make(map[string]*reducerView)
	}
	m.views[id] = v
}

// reducerView is a ReducerState in counting form, with the bytes it
// encodes to.
type reducerView struct {
	enc      []byte // MarshalJSON's bytes of this state (a private copy)
	scratch  []byte // the operation's state bytes as the engine gave them
	words    []string
	counts   []int64 // counts[i] is words[i]'s
	index    map[string]int
	total    int64 // ReducerState.Words
	done     []int
	reported bool
	// Where enc holds each count's digits and the total's, while
	// patchable: counting a word again rewrites its digits in a copy of
	// enc when their number does not change.
	patchable        bool
	numAt, numLen    []int
	totalAt, totalLn int
}

// matches reports whether the view is the state whose bytes are b (a
// view that encoded nothing yet matches nothing).
func (v *reducerView) matches(b []byte) bool { return len(v.enc) > 0 && bytes.Equal(v.enc, b) }

// load makes the view st.
func (v *reducerView) load(st *ReducerState) {
	v.words = v.words[:0]
	for w := range st.Counts {
		v.words = append(v.words, w)
	}
	slices.Sort(v.words)
	v.counts = v.counts[:0]
	v.index = make(map[string]int, len(v.words))
	for i, w := range v.words {
		v.counts = append(v.counts, st.Counts[w])
		v.index[w] = i
	}
	v.total, v.done, v.reported = st.Words, slices.Clone(st.Done), st.Reported
	v.patchable = false
}

// state is the view as a ReducerState.
func (v *reducerView) state() ReducerState {
	st := ReducerState{Words: v.total, Done: slices.Clone(v.done), Reported: v.reported}
	if len(v.words) > 0 {
		st.Counts = make(Counts, len(v.words))
		for i, w := range v.words {
			st.Counts[w] = v.counts[i]
		}
	}
	return st
}

// add counts n more occurrences of word and returns the state's bytes.
func (v *reducerView) add(word string, n int64) ([]byte, error) {
	v.total += n
	if i, ok := v.index[word]; ok {
		v.counts[i] += n
		if b, ok := v.patch(i); ok {
			return b, nil
		}
		return v.encode()
	}
	i, _ := slices.BinarySearch(v.words, word)
	v.words = slices.Insert(v.words, i, word)
	v.counts = slices.Insert(v.counts, i, n)
	for j := i; j < len(v.words); j++ {
		v.index[v.words[j]] = j
	}
	return v.encode()
}

// patch is encode after count i and the total changed, when their digits
// are as many as before: the last bytes with those digits rewritten.
func (v *reducerView) patch(i int) ([]byte, bool) {
	if !v.patchable {
		return nil, false
	}
	var c, t [20]byte
	cs := strconv.AppendInt(c[:0], v.counts[i], 10)
	ts := strconv.AppendInt(t[:0], v.total, 10)
	if len(cs) != v.numLen[i] || len(ts) != v.totalLn {
		return nil, false
	}
	copy(v.enc[v.numAt[i]:], cs)
	copy(v.enc[v.totalAt:], ts)
	return slices.Clone(v.enc), true
}

// encode returns the state's bytes (a new slice, the engine keeps it) and
// keeps a copy.
func (v *reducerView) encode() ([]byte, error) {
	size := 48 + 4*len(v.done)
	for _, w := range v.words {
		size += len(w) + 8
	}
	out := make([]byte, 0, size)
	v.numAt, v.numLen = slices.Grow(v.numAt[:0], len(v.words))[:len(v.words)], slices.Grow(v.numLen[:0], len(v.words))[:len(v.words)]
	out = append(out, '{')
	if len(v.words) > 0 {
		out = append(out, `"counts":{`...)
		for i, w := range v.words {
			if i > 0 {
				out = append(out, ',')
			}
			if plain(w) {
				out = append(out, '"')
				out = append(out, w...)
				out = append(out, '"')
			} else {
				q, err := json.Marshal(w)
				if err != nil {
					return nil, err
				}
				out = append(out, q...)
			}
			out = append(out, ':')
			v.numAt[i] = len(out)
			out = strconv.AppendInt(out, v.counts[i], 10)
			v.numLen[i] = len(out) - v.numAt[i]
		}
		out = append(out, "},"...)
	}
	out = append(out, `"words":`...)
	v.totalAt = len(out)
	out = strconv.AppendInt(out, v.total, 10)
	v.totalLn = len(out) - v.totalAt
	out = appendStateTail(out, v.done, v.reported)
	v.enc = append(v.enc[:0], out...)
	v.patchable = true
	return out, nil
}
