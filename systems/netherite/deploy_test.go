package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/systems"
)

// Knob standbys keeps the first ranks of each partition's standbys; its
// default (-1) keeps one on every other node, as before the knob.
func TestStandbysKnobKeepsTheFirstRanks(t *testing.T) {
	for _, c := range []struct {
		knob string
		want int
	}{{"", 7}, {"-1", 7}, {"2", 2}, {"7", 7}, {"100", 7}} {
		v := systems.Values{}
		if c.knob != "" {
			v[KnobStandbys] = c.knob
		}
		d, err := newSim(systems.SimConfig{Knobs: v})
		require.NoError(t, err, c.knob)
		n := d.(*Sim)
		for p := range 20 {
			got := n.standbyNodes(p, 8)
			require.Len(t, got, c.want, "standbys=%q", c.knob)
			require.Equal(t, standbyNodes(p, 8)[:c.want], got, "the lowest ranks, on the same nodes")
			require.NotContains(t, got, p%8, "never on the partition's own node")
		}
	}
	_, err := newSim(systems.SimConfig{Knobs: systems.Values{KnobStandbys: "0"}})
	require.ErrorContains(t, err, "standbys")
	_, err = System.Parse(systems.Values{KnobStandbys: "2"}, systems.RunnerReal)
	require.Error(t, err, "a simulator knob")
}
