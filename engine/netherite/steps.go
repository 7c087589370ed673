package netherite

import "github.com/dflab/dflab/engine/reactor"

// partStep is a Partition's continuation: what it does with the outcome
// of a storage request or timer, as data (the offsets, seqs and epoch of
// the flush, read or checkpoint it concerns). Its activities are tracked
// in the partition's own state (activityDone), not here.
type partStep interface {
	reactor.Cont
	step(x *Partition, o reactor.Outcome)
}

// runStep takes a continuation's step (the Partition's reactor dispatches
// to it).
func (x *Partition) runStep(k partStep, o reactor.Outcome) { k.step(x, o) }
