// Package batchy is a toy engine variant: Netherite whose partitions read
// their input stream in small batches, with the batch size as a knob of
// its own (readBatch, default 4; Netherite's own reads up to 1,000
// records). It reuses Netherite's descriptor (systems/netherite) and adds
// one knob, the way a researcher tries an engine idea against both
// baselines on the same workloads and seeds.
//
// Its fault campaign draws every speculation level. Under global
// speculation, small read batches and a storage throttle once stalled
// Netherite's partitions (9 of 500 campaign seeds, e.g. seed 277): a
// partition rolled back because a sender started a new epoch forgot that
// epoch and waited forever at the sender's lost batch of the old one,
// for a confirmation that lay beyond its small reads. Netherite now
// keeps what it learnt and looks ahead of a held read
// (engine/netherite/stoppeek.go).
package batchy

import (
	"fmt"
	"slices"

	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	nethsys "github.com/dflab/dflab/systems/netherite"
)

// KnobReadBatch is the knob batchy adds.
const KnobReadBatch = "readBatch"

var readBatch = systems.Knob{Name: KnobReadBatch, Kind: systems.Int, Default: "4", Min: 1, Max: 1000,
	Doc: "the most stream records a partition reads at once"}

// System is batchy's descriptor: Netherite's, with readBatch added, on
// the simulator only.
var System = newSystem()

func newSystem() *systems.System {
	s := *nethsys.System
	s.Name, s.Summary = "batchy", "toy: Netherite reading its input stream in small batches (knob readBatch)"
	s.Knobs = append(slices.Clone(nethsys.System.Knobs), readBatch)
	s.Real, s.Validate = nil, nil // the simulator only, so no real-backend limits
	s.Sim = func(c systems.SimConfig) (systems.Deployment, error) {
		base, batch, err := split(c.Knobs)
		if err != nil {
			return nil, err
		}
		c.Knobs = base
		dep, err := nethsys.System.Sim(c)
		if err != nil {
			return nil, err
		}
		n, ok := dep.(*nethsys.Sim)
		if !ok {
			return nil, fmt.Errorf("batchy: netherite's deployment is a %T", dep)
		}
		n.Knobs.MaxReadRecords = batch
		return n, nil
	}
	s.Faults.Partitions = func(v systems.Values) (int, error) {
		base, _, err := split(v)
		if err != nil {
			return 0, err
		}
		return nethsys.System.Faults.Partitions(base)
	}
	s.Draw = func(r *rng.Source) systems.Values {
		v := nethsys.System.Draw(r)
		v[KnobReadBatch] = fmt.Sprint(1 + r.Intn(8))
		return v
	}
	return &s
}

// split separates readBatch from Netherite's knobs.
func split(v systems.Values) (systems.Values, int, error) {
	base := systems.Values{}
	text := readBatch.Default
	for k, x := range v {
		if k == KnobReadBatch {
			text = x
			continue
		}
		base[k] = x
	}
	n, err := readBatch.Parse(text)
	if err != nil {
		return nil, 0, &systems.KnobError{Knob: KnobReadBatch, System: "batchy", Err: err}
	}
	return base, int(n.(int64)), nil
}
