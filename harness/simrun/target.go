package simrun

import (
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/systems"
)

// target is the fault plan's target: the deployment's glue
// (systems.FaultGlue: crashes, restarts, moves, lease loss, torn tails,
// lost unsynced writes), or crashes and restarts by node name only.
func (r *run) target(names map[string]sim.NodeID) *inject.SimTarget {
	if g, ok := r.eng.(systems.FaultGlue); ok {
		return g.SimTarget(r.d, r.store, r.root.Fork("glue"))
	}
	return &inject.SimTarget{Driver: r.d, Nodes: names}
}
