package wordcount

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCountsCodecMatchesEncodingJSON(t *testing.T) {
	for _, c := range []Counts{
		{},
		{"a": 1},
		{"the": 12, "and": 3, "zebra": -4, "x": 0},
		{`quo"te`: 1, "back\\slash": 2, "<tag>": 3, "é": 4, "new\nline": 5, "plain": 6},
	} {
		got, err := json.Marshal(c)
		require.NoError(t, err)
		want, err := json.Marshal(map[string]int64(c))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
		var back Counts
		require.NoError(t, json.Unmarshal(got, &back))
		require.Equal(t, c, back)
	}
	var c Counts
	require.NoError(t, json.Unmarshal([]byte(`{ "a" : 1 , "b":2 }`), &c), "white space takes the slow path")
	require.Equal(t, Counts{"a": 1, "b": 2}, c)
	require.Error(t, json.Unmarshal([]byte(`{"a":x}`), &c))
	for _, bad := range []string{`{"a":1,}`, `{"a"1}`, `{"a":}`, `{a:1}`} {
		_, ok := parsePlain([]byte(bad))
		require.False(t, ok, bad)
	}
}

func BenchmarkReducerState(b *testing.B) {
	c, err := NewCorpus(1, 10000, 5000, 1.0)
	require.NoError(b, err)
	st := ReducerState{Counts: Counts{}}
	for i := 0; i < 5; i++ {
		for _, w := range c.Read(i) {
			if ReducerOf(w, 10) == 0 {
				st.Counts[w]++
			}
		}
	}
	data, err := json.Marshal(st)
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var s ReducerState
		_ = json.Unmarshal(data, &s)
		s.Counts["the"]++
		data, _ = json.Marshal(s)
	}
}
