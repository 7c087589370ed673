package wordcount

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// The hand-written codec writes the bytes encoding/json writes for the
// struct and reads them back to the same state; any other JSON goes
// through encoding/json.
func TestReducerStateCodecMatchesEncodingJSON(t *testing.T) {
	for _, st := range []ReducerState{
		{},
		{Counts: Counts{}, Done: []int{}},
		{Counts: Counts{"a": 1}, Words: 1},
		{Counts: Counts{"the": 12, "and": 3, "x": 0, "a}b,c": 2}, Words: 17, Done: []int{3, 0, 3, 12}, Reported: true},
		{Counts: Counts{`quo"te`: 1, "back\\slash": 2, "<tag>": 3, "é": 4}, Words: -2, Done: []int{-1}},
	} {
		got, err := json.Marshal(st)
		require.NoError(t, err)
		want, err := json.Marshal(reducerStateJSON(st))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
		var back ReducerState
		require.NoError(t, json.Unmarshal(got, &back))
		var slow reducerStateJSON
		require.NoError(t, json.Unmarshal(want, &slow))
		require.Equal(t, ReducerState(slow), back, string(got))
	}
	var st ReducerState
	require.NoError(t, json.Unmarshal([]byte(`{ "words" : 2, "reported":true, "done":[1] }`), &st), "white space takes the slow path")
	require.Equal(t, ReducerState{Words: 2, Done: []int{1}, Reported: true}, st)
	require.Error(t, json.Unmarshal([]byte(`{"words":x}`), &st))
	for _, bad := range []string{`{"words":1}`, `{"words":01,"reported":false}`, `{"words":1,"done":[],"reported":false}`,
		`{"words":1,"reported":false} `, `{"counts":{"a":1},"words":1,"reported":no}`, `{"counts":{"a\"b":1},"words":1,"reported":true}`} {
		_, ok := parseReducerState([]byte(bad))
		require.False(t, ok, bad)
	}
}
