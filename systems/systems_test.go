package systems_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	nethsys "github.com/dflab/dflab/systems/netherite"
)

func TestBuiltinRegistryHoldsBothEnginesAndIsOpen(t *testing.T) {
	r := builtin.Systems()
	require.Equal(t, []string{"netherite", "original"}, r.Names())
	_, err := r.Lookup("sql")
	require.EqualError(t, err, `unknown system "sql" (known: netherite, original)`)
	require.ErrorContains(t, r.Register(nethsys.System), "registered twice")
	toy := *nethsys.System
	toy.Name = "toy"
	require.NoError(t, r.Register(&toy))
	require.Equal(t, []string{"netherite", "original", "toy"}, r.Names())
	require.Equal(t, []string{"netherite", "original"}, builtin.Systems().Names(), "a fresh registry each time")
	require.ErrorContains(t, r.Register(&systems.System{Name: "Bad Name"}), "allowed 1..40 of [a-z0-9-]")
	require.ErrorContains(t, r.Register(&systems.System{Name: "nosim"}), "System.Sim is nil")
}

func TestParseFillsDefaultsAndNamesBadKnobs(t *testing.T) {
	s := nethsys.System
	set, err := s.Parse(systems.Values{"partitions": "3", "checkpoint.logBytes": "64KiB", "checkpoint.events": "-1"}, systems.RunnerSim)
	require.NoError(t, err)
	require.EqualValues(t, 3, set.Int("partitions"))
	require.EqualValues(t, 64<<10, set.Int("checkpoint.logBytes"))
	require.EqualValues(t, -1, set.Int("checkpoint.events"))
	require.Equal(t, "local", set.Enum("speculation"))
	require.Equal(t, 60*port.Second, set.Duration("checkpoint.idle"))
	for v, want := range map[string]string{
		"colour=red":          "knob colour: system netherite has no such knob; allowed partitions, speculation",
		"partitions=0":        "knob partitions of system netherite: 0: allowed 1..1024",
		"checkpoint.events=0": "0: allowed 1..2147483647 or -1",
		"speculation=max":     `"max": allowed none, local, global`,
		"checkpoint.idle=-1s": `"-1s": allowed a duration > 0`,
		"commitLogBytes=lots": `"lots": allowed a positive byte count`,
	} {
		k, x, _ := strings.Cut(v, "=")
		_, err := s.Parse(systems.Values{k: x}, systems.RunnerSim)
		require.ErrorContains(t, err, want, v)
	}
	_, err = s.Parse(systems.Values{"takeoverPoll": "5s"}, systems.RunnerReal)
	require.EqualError(t, err, "knob takeoverPoll: the real runner cannot honour it for system netherite (only the sim runner does)")
}
