package golden

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/internal/scenarios/originalsim"
	"github.com/dflab/dflab/sim"
)

// deployment is an engine under a script: the scenarios.Engine, its fault
// glue and its end-of-run counters.
type deployment interface {
	scenarios.Engine
	scenarios.FaultGlue
	counters(d *sim.Driver, c map[string]int64)
}

func newDeployment(s *Script, logf func(string, ...any)) (deployment, error) {
	if s.Engine == "netherite" {
		return newNetherite(s.Opts, logf)
	}
	return newOriginal(s.Opts, logf)
}

type netheriteDep struct{ *scenarios.Netherite }

func newNetherite(o map[string]string, logf func(string, ...any)) (*netheriteDep, error) {
	n := &scenarios.Netherite{Partitions: 4, Logf: logf, Standby: o["standby"] == "true",
		Knobs: netherite.Knobs{LogBytes: 4 << 20, AcquireRetry: 10 * port.Millisecond}}
	k := &n.Knobs
	var err error
	for _, f := range []struct {
		key string
		set func(string) error
	}{
		{"partitions", func(v string) (e error) { n.Partitions, e = strconv.Atoi(v); return }},
		{"speculation", func(v string) (e error) { k.Speculation, e = netherite.ParseSpeculation(v); return }},
		{"checkpoint-bytes", func(v string) (e error) { k.CheckpointBytes, e = parseBytes(v); return }},
		{"checkpoint-events", func(v string) (e error) { k.CheckpointEvents, e = strconv.Atoi(v); return }},
		{"checkpoint-idle", func(v string) (e error) { k.CheckpointIdle, e = plan.ParseDuration(v); return }},
		{"log-bytes", func(v string) (e error) { k.LogBytes, e = parseBytes(v); return }},
		{"acquire-retry", func(v string) (e error) { k.AcquireRetry, e = plan.ParseDuration(v); return }},
	} {
		if v, ok := o[f.key]; ok {
			if err = f.set(v); err != nil {
				return nil, fmt.Errorf("engine netherite %s=%s: %w", f.key, v, err)
			}
		}
	}
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("engine netherite: %w", err)
	}
	return &netheriteDep{n}, nil
}

// parseBytes reads a byte count with an optional KiB or MiB suffix.
func parseBytes(v string) (int64, error) {
	mult := int64(1)
	if x, ok := strings.CutSuffix(v, "KiB"); ok {
		v, mult = x, 1<<10
	} else if x, ok := strings.CutSuffix(v, "MiB"); ok {
		v, mult = x, 1<<20
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("allowed a positive byte count, optionally with KiB or MiB")
	}
	return n * mult, nil
}

// counters adds the live partition cores' stats (a crashed life's stats
// are gone with it).
func (n *netheriteDep) counters(d *sim.Driver, c map[string]int64) {
	for _, id := range n.AllCores() {
		x, ok := d.Core(id).(*netherite.Partition)
		if !ok {
			continue
		}
		st := x.Stats()
		c["netherite.duplicates-dropped"] += int64(st.Duplicates)
		c["netherite.recovered-updates"] += int64(st.RecoveredUpdates)
		c["netherite.restarts"] += int64(st.Restarts)
		if st.TornTail {
			c["netherite.torn-tails-cut"]++
		}
		if x.Owns() {
			c["netherite.owners"]++
		}
	}
}

type originalDep struct{ *originalsim.Original }

func newOriginal(o map[string]string, logf func(string, ...any)) (*originalDep, error) {
	e := &originalsim.Original{ControlQueues: 4, Visibility: 10 * port.Second, Logf: logf, Extended: o["extended"] == "true"}
	for _, f := range []struct {
		key string
		set func(string) error
	}{
		{"control-queues", func(v string) (err error) { e.ControlQueues, err = strconv.Atoi(v); return }},
		{"visibility", func(v string) (err error) { e.Visibility, err = plan.ParseDuration(v); return }},
		{"lease-renewal", func(v string) (err error) { e.LeaseRenewal, err = plan.ParseDuration(v); return }},
		{"max-activities", func(v string) (err error) { e.MaxActivities, err = strconv.Atoi(v); return }},
	} {
		if v, ok := o[f.key]; ok {
			if err := f.set(v); err != nil {
				return nil, fmt.Errorf("engine original %s=%s: %w", f.key, v, err)
			}
		}
	}
	if err := e.Config(0, 2).Validate(); err != nil {
		return nil, fmt.Errorf("engine original: %w", err)
	}
	return &originalDep{e}, nil
}

func (e *originalDep) counters(d *sim.Driver, c map[string]int64) {
	for _, id := range e.Workers {
		w, ok := d.Core(id).(*original.Worker)
		if !ok {
			continue
		}
		st := w.Stats()
		c["original.noop-steps"] += int64(st.NoopSteps)
		c["original.put-backs"] += int64(st.PutBacks)
		c["original.discarded"] += int64(st.Discarded)
		c["original.conflicts"] += int64(st.Conflicts)
		c["original.abandoned"] += int64(st.Abandoned)
		c["original.leases-lost"] += int64(st.LeasesLost)
		c["original.dropped"] += int64(st.Dropped)
	}
}
