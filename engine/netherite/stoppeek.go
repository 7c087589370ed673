package netherite

import (
	"fmt"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Under global speculation a partition learns its senders' epochs and
// durable positions only from its input stream; two states read it
// without consuming it, from r.peek on, learning only (a third, a
// running partition whose log is full, is peekWhileHeld's):
//
//   - A partition that is stopping: its last updates may depend on
//     speculative input, and its flush waits until the senders confirm
//     that input durable; confirmations come in the input, which a
//     stopping partition otherwise no longer reads, so the stop would
//     wait forever (holding the lease, so the partition never moved).
//   - A cautious partition holding its read at a speculative batch (see
//     globalSpec.admit): what releases the hold (the sender's
//     confirmation, or its new epoch, which drops the batch) may lie
//     beyond the records one read returns (knob MaxReadRecords), and a
//     read from the held position alone would never reach it.
//
// Learning may release the flush, or roll the partition back if a sender
// lost the input (a stop is then abandoned and the partition recovers);
// no batch is taken in: the partition, or the next owner, reads them from
// the recorded position.

// peekWhileHeld keeps learning while a running partition takes no input
// because its log holds a flush's worth of records (commitLog.full) or
// half the log is live (commitLog.pressed): under global speculation the
// flush that would make room may wait for the senders to confirm the
// input it consumed, and their confirmations come only in the input.
// Without this a partition whose pending records outgrew one flush while
// a dependency was unconfirmed stopped reading and stalled for good.
func (x *Partition) peekWhileHeld() {
	r := &x.in
	if x.k.Speculation != SpeculationGlobal || r.reading || r.waiting || x.log.flushing || x.phase != phaseRunning {
		return
	}
	x.peek(phaseRunning)
}

// peekWhileStopping keeps reading the input of a stopping partition.
func (x *Partition) peekWhileStopping() {
	r := &x.in
	if x.k.Speculation != SpeculationGlobal || r.reading || r.waiting {
		return
	}
	x.peek(phaseStopping)
}

// holdAt records that a read of recs held at a speculative batch: the
// next read looks ahead of it if the stream holds more than this read
// returned, else the partition polls.
func (x *Partition) holdAt(recs port.Records) {
	r := &x.in
	r.peek = max(r.peek, recs.First+int64(len(recs.Records)))
	if r.peek < recs.End {
		r.ahead = true
		return
	}
	r.waiting = true
	x.After(x.k.PollInterval, readAgain{})
}

// peek issues one learn-only read from r.peek, for a partition in phase.
func (x *Partition) peek(phase phase) {
	r := &x.in
	r.peek = max(r.peek, r.pos)
	r.reading, r.ahead = true, false
	x.Issue(port.StreamRead{Partition: x.p, From: r.peek, Max: x.k.MaxReadRecords}, peeked{phase})
}

// peeked: a learn-only read, issued in phase, came back.
type peeked struct{ phase phase }

func (k peeked) Then() reactor.Then {
	return reactor.Then{Step: "peeked", About: fmt.Sprintf("phase %d", k.phase)}
}

func (k peeked) step(x *Partition, o reactor.Outcome) {
	r, c := &x.in, o.Completion
	r.reading = false
	recs, _ := c.Result.(port.Records)
	if c.Err != nil || len(recs.Records) == 0 || x.phase != k.phase {
		r.waiting = true
		x.After(x.k.PollInterval, peekAgain{})
		return
	}
	bs, ok := x.decodeBatches(recs)
	r.peek = recs.First + int64(len(recs.Records))
	x.global.learn(x, bs, ok)
}

// peekAgain: the poll interval after an empty learn-only read has passed.
type peekAgain struct{}

func (peekAgain) Then() reactor.Then { return reactor.Then{Step: "peek-again"} }

func (peekAgain) step(x *Partition, _ reactor.Outcome) { x.in.waiting = false }
