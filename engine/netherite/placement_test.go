package netherite

import (
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
	require.Equal(t, []string{"w1", "w3", "w1", "w3", "w1"}, c)
}

func TestPlacementRefusesBadInput(t *testing.T) {
	_, err := Placement(nil, 4)
	require.ErrorContains(t, err, "no live worker")
	_, err = Placement([]string{"a"}, 0)
	require.ErrorContains(t, err, "partitions = 0")
	_, err = Placement([]string{"a/b"}, 2)
	require.ErrorContains(t, err, `"a/b"`)
}
