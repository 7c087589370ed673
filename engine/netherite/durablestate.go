package netherite

// DurableState encodes the partition's state as a checkpoint does (without
// the log position and epoch), for checkers of replay equivalence: the
// state a partition recovers from its checkpoint and log must equal the
// one it had. It returns nil unless the partition is running with every
// update durable (nothing applied speculatively).
func (x *Partition) DurableState() []byte {
	if x.phase != phaseRunning || x.log.durableSeq != x.log.lastSeq || x.log.flushing {
		return nil
	}
	e := enc{}
	encodeCheckpoint(&e, x.st, 0, 0)
	return e.b
}

// Index returns the partition's number.
func (x *Partition) Index() int { return x.p }
