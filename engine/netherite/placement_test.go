package netherite

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlacementSpreadsEvenlyAndAgreesOnAnyOrder(t *testing.T) {
	a, err := Placement([]string{"w3", "w1", "w2"}, 12)
	require.NoError(t, err)
	b, err := Placement([]string{"w2", "w3", "w1", "w2"}, 12)
	require.NoError(t, err)
	require.Equal(t, a, b)
	count := map[string]int{}
	for _, w := range a {
		count[w]++
	}
	require.Equal(t, map[string]int{"w1": 4, "w2": 4, "w3": 4}, count)
	c, err := Placement([]string{"w1", "w3"}, 5)
	require.NoError(t, err)
	count = map[string]int{}
	for _, w := range c {
		count[w]++
	}
	require.ElementsMatch(t, []int{2, 3}, []int{count["w1"], count["w3"]})
}

// Taking a worker away moves its partitions and few others: over many
// cluster sizes, most partitions of the survivors stay where they were.
func TestPlacementMovesLittleWhenAWorkerLeaves(t *testing.T) {
	moved, kept := 0, 0
	for n := 2; n <= 8; n++ {
		var ws []string
		for i := 0; i < n; i++ {
			ws = append(ws, fmt.Sprintf("w%d", i))
		}
		before, err := Placement(ws, 24)
		require.NoError(t, err)
		after, err := Placement(ws[1:], 24)
		require.NoError(t, err)
		for p := range before {
			if before[p] == "w0" {
				continue
			}
			if before[p] == after[p] {
				kept++
			} else {
				moved++
			}
		}
	}
	t.Logf("kept %d, moved %d of the survivors' partitions", kept, moved)
	require.Greater(t, kept, 4*moved, "kept %d, moved %d of the survivors' partitions", kept, moved)
}

func TestPlacementRefusesBadInput(t *testing.T) {
	_, err := Placement(nil, 4)
	require.ErrorContains(t, err, "no live worker")
	_, err = Placement([]string{"a"}, 0)
	require.ErrorContains(t, err, "partitions = 0")
	_, err = Placement([]string{"a/b"}, 2)
	require.ErrorContains(t, err, `"a/b"`)
}
