package systems_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	nethsys "github.com/dflab/dflab/systems/netherite"
	origsys "github.com/dflab/dflab/systems/original"
)

func TestBuiltinRegistryHoldsTheEnginesAndIsOpen(t *testing.T) {
	r := builtin.Systems()
	require.Equal(t, []string{"netherite", "original", "sql", "workflow", "queuechain", "blobchain", "lambdachain"}, r.Names())
	_, err := r.Lookup("stepfunctions")
	require.EqualError(t, err, `unknown system "stepfunctions" (known: netherite, original, sql, workflow, queuechain, blobchain, lambdachain)`)
	require.ErrorContains(t, r.Register(nethsys.System), "registered twice")
	toy := *nethsys.System
	toy.Name = "toy"
	require.NoError(t, r.Register(&toy))
	require.Equal(t, []string{"netherite", "original", "sql", "workflow", "queuechain", "blobchain", "lambdachain", "toy"}, r.Names())
	require.Equal(t, []string{"netherite", "original", "sql", "workflow", "queuechain", "blobchain", "lambdachain"}, builtin.Systems().Names(), "a fresh registry each time")
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
		"colour=red":          "knob colour of system netherite: no such knob; allowed partitions, speculation",
		"partitions=0":        "knob partitions of system netherite: 0 is out of range; allowed 1..1024",
		"checkpoint.events=0": "0 is out of range; allowed 1..2147483647 or -1",
		"speculation=max":     `"max": allowed none, local, global`,
		"checkpoint.idle=-1s": `"-1s": allowed a duration > 0`,
		"commitLogBytes=lots": `"lots": allowed a positive byte count`,
	} {
		k, x, _ := strings.Cut(v, "=")
		_, err := s.Parse(systems.Values{k: x}, systems.RunnerSim)
		require.ErrorContains(t, err, want, v)
	}
	_, err = s.Parse(systems.Values{"takeoverPoll": "5s"}, systems.RunnerReal)
	require.EqualError(t, err, "knob takeoverPoll of system netherite: the real runner cannot honour it (only the sim runner does)")
	var ke *systems.KnobError
	require.ErrorAs(t, err, &ke)
	require.Equal(t, systems.KnobError{Knob: "takeoverPoll", System: "netherite", Runner: "real", Err: ke.Err}, *ke)
	_, err = s.Parse(systems.Values{"partitions": "33"}, systems.RunnerReal)
	require.ErrorContains(t, err, "33 is out of range; allowed 1..32 (more partitions only with backend sim)")
	_, err = s.Parse(systems.Values{"partitions": "33"}, systems.RunnerSim)
	require.NoError(t, err)
	require.Equal(t, "1m0s", s.Defaults(systems.RunnerReal)["checkpoint.idle"])
	d := netherite.DefaultKnobs()
	all, err := s.Parse(nil, "")
	require.NoError(t, err)
	require.Equal(t, d.CheckpointBytes, all.Int("checkpoint.logBytes"), "the descriptor's defaults are the engine's")
	require.Equal(t, d.LogBytes, all.Int("commitLogBytes"))
	require.Equal(t, int64(d.CheckpointEvents), all.Int("checkpoint.events"))
	require.Equal(t, d.CheckpointIdle, all.Duration("checkpoint.idle"))
	require.Equal(t, d.PollInterval, all.Duration("pollInterval"))
	require.Equal(t, d.AcquireRetry, all.Duration("acquireRetry"))
	require.Equal(t, d.LeaseDuration, all.Duration("leaseDuration"))
	require.Equal(t, d.LoadReport, all.Duration("loadReport"))
	require.Equal(t, int64(d.MaxActivities), all.Int("maxActivities"))
	require.NotContains(t, s.Defaults(systems.RunnerReal), "takeoverPoll", "a sim-only knob has no default on real runs")
}

func TestOriginalDefaultsAreTheEngines(t *testing.T) {
	dep, err := origsys.System.Sim(systems.SimConfig{})
	require.NoError(t, err)
	require.Equal(t, original.Defaults(origsys.Hub, "worker0"), dep.(*origsys.Sim).Config(0, 1))
}

// Every built-in system's campaign draws (if it has a Draw) are values
// its knobs accept, and its defaults are canonical.
func TestDrawsAndDefaultsParse(t *testing.T) {
	for _, s := range builtin.Systems().All() {
		for seed := uint64(1); s.Draw != nil && seed <= 200; seed++ { // no Draw: not drawn
			v := s.Draw(rng.New(seed))
			_, err := s.Parse(v, systems.RunnerSim)
			require.NoError(t, err, "%s seed %d: %v", s.Name, seed, v)
		}
		for name, text := range s.Defaults("") {
			k, _ := s.Knob(name)
			c, err := k.Canonical(text)
			require.NoError(t, err)
			require.Equal(t, text, c, "%s.%s", s.Name, name)
		}
	}
}

// A system declares the workloads it runs; the others are refused with an
// error naming those it runs. The Durable Functions engines run them all.
func TestSystemsDeclareTheirWorkloads(t *testing.T) {
	r := builtin.Systems()
	wf, err := r.Lookup("workflow")
	require.NoError(t, err)
	require.False(t, wf.RunsEveryWorkload())
	for _, w := range []string{"hello3", "sequence", "imagerec"} {
		require.NoError(t, wf.RunsWorkload(w))
	}
	require.EqualError(t, wf.RunsWorkload("bank"), `system workflow does not run workload "bank": it runs hello3, sequence, imagerec`)
	for _, name := range []string{"netherite", "original", "sql"} {
		s, err := r.Lookup(name)
		require.NoError(t, err)
		require.True(t, s.RunsEveryWorkload(), name)
		require.NoError(t, s.RunsWorkload("bank"), name)
	}
}
