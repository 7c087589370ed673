package sim

import "github.com/dflab/dflab/engine/port"

// OpTarget names the object an op acts on (see port.Target); per-target caps
// and the per-object completion order use it.
func OpTarget(op port.Op) string { return port.Target(op) }
