package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

func TestKnobsValidateNamesFieldAndAllowedValues(t *testing.T) {
	require.NoError(t, Knobs{}.Validate())
	cases := []struct {
		k    Knobs
		want string
	}{
		{Knobs{Speculation: 7}, "knob Speculation = 7: allowed none, local, global"},
		{Knobs{MaxActivities: -1}, "knob MaxActivities = -1: allowed >= 1"},
		{Knobs{LogBytes: 1000}, "knob LogBytes = 1000: allowed a multiple of 512"},
		{Knobs{LeaseDuration: port.Second}, "knob LeaseDuration = 1000000000: allowed 15s..60s"},
		{Knobs{MaxReadRecords: 20000}, "knob MaxReadRecords = 20000: allowed 1..10000"},
		{Knobs{Planted: "typo"}, `knob Planted = "typo": allowed "" (none), skip-dedup, send-before-persist, forget-input-position, drop-log-tail`},
	}
	for _, c := range cases {
		require.ErrorContains(t, c.k.Validate(), c.want)
	}
	for _, b := range PlantedBugs {
		require.NoError(t, Knobs{Planted: b}.Validate())
	}
	s, err := ParseSpeculation("none")
	require.NoError(t, err)
	require.Equal(t, SpeculationNone, s)
	_, err = ParseSpeculation("eager")
	require.ErrorContains(t, err, `speculation "eager": allowed none, local, global`)
}

func TestConfigValidate(t *testing.T) {
	reg := durable.NewRegistry()
	ok := Config{Hub: "h", Partitions: 4, Clients: 1, Registry: reg}
	require.NoError(t, ok.Validate())
	bad := ok
	bad.Partitions = 0
	require.ErrorContains(t, bad.Validate(), "config Partitions = 0: allowed 1..1024")
	bad = ok
	bad.Knobs.MaxActivities = -2
	require.ErrorContains(t, bad.Validate(), "config: knob MaxActivities = -2")
	_, err := NewPartition(&ok, 4, "n")
	require.ErrorContains(t, err, "partition 4: allowed 0..3")
	_, err = NewClient(&ok, 1)
	require.ErrorContains(t, err, "client 1: allowed 0..0")
}
