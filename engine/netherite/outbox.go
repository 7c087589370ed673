package netherite

import (
	"fmt"
	"sort"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// sender is the volatile send state for one destination stream partition:
// at most one append in flight, so batches arrive in position order and a
// receiver's "last position seen" dedup never skips one.
type sender struct {
	inflight  bool
	sentUpTo  int64 // highest outbox seq included in an append this life
	told      int64 // durable seq last told to the destination (global)
	confirmed int64 // highest seq confirmed in this life
	announce  bool  // tell the destination our new epoch (global, after recovery)
}

// sendable is the highest seq whose outbox entries may leave now for
// dest: under global speculation, messages to partitions leave at once;
// anything else waits until durable (client responses always do).
func (x *Partition) sendable(dest int) int64 {
	if x.speculative(dest) || x.k.Planted == PlantedSendBeforePersist {
		return x.log.lastSeq
	}
	return x.log.durableSeq
}

// mayLeave reports whether the outbox entries at seq may leave for dest
// now: up to sendable, and a read-only input's client responses once the
// update before it is durable (readonly.go).
func (x *Partition) mayLeave(seq int64, dest int) bool {
	return seq <= x.sendable(dest) || (dest >= x.cfg.Partitions && x.needs(seq) <= x.log.durableSeq)
}

// speculative reports whether sends to dest may leave before they are
// durable: under global speculation, to partitions.
func (x *Partition) speculative(dest int) bool {
	return x.k.Speculation == SpeculationGlobal && dest < x.cfg.Partitions
}

func (x *Partition) sender(dest int) *sender {
	s := x.senders[dest]
	if s == nil {
		s = &sender{}
		x.senders[dest] = s
	}
	return s
}

// send issues one append per idle destination with every outbox entry that
// may leave and was not sent yet in this life.
func (x *Partition) send() {
	type pending struct {
		records [][]byte
		bytes   int
		upTo    int64
		full    bool
	}
	var byDest map[int]*pending
	if len(x.readOnlyAt) > 0 {
		x.pruneReadOnly()
	}
	for i := range x.st.Outbox {
		e := &x.st.Outbox[i]
		s := x.sender(e.Dest)
		if !x.mayLeave(e.Seq, e.Dest) || s.inflight || e.Seq <= s.sentUpTo {
			continue
		}
		if byDest == nil {
			byDest = map[int]*pending{}
		}
		pd := byDest[e.Dest]
		if pd == nil {
			pd = &pending{}
			byDest[e.Dest] = pd
		}
		if pd.full {
			continue
		}
		b := batch{Origin: x.p, Pos: e.Seq, Epoch: x.log.epoch, Durable: x.log.durableSeq,
			Messages: e.Messages, Responses: e.Responses, Activities: e.Activities}
		en := enc{}
		b.encode(&en)
		if pd.bytes+len(en.b) > port.MaxStreamBatchBytes && len(pd.records) > 0 {
			pd.full = true // the rest goes in the next append
			continue
		}
		pd.records = append(pd.records, en.b)
		pd.bytes += len(en.b)
		pd.upTo = e.Seq
	}
	dests := make([]int, 0, len(byDest))
	for d := range byDest {
		dests = append(dests, d)
	}
	sort.Ints(dests)
	for _, d := range dests {
		x.appendTo(d, byDest[d].records, byDest[d].upTo)
	}
	if x.k.Speculation == SpeculationGlobal {
		x.sendConfirmations()
	}
}

// appendTo appends records (batches up to outbox seq upTo, or a
// confirmation when upTo is 0) to dest's stream. Once the append is
// acknowledged, the outbox entries it made durable at the destination are
// confirmed: those up to the durable seq the records carried (a batch
// sent speculatively is confirmed only by a later append that tells the
// destination it became durable, so a sender that loses it resends it).
func (x *Partition) appendTo(dest int, records [][]byte, upTo int64) {
	s := x.senders[dest]
	s.inflight = true
	prev, prevTold := s.sentUpTo, s.told
	s.sentUpTo = max(s.sentUpTo, upTo)
	s.told, s.announce = x.log.durableSeq, false
	confirm := min(s.sentUpTo, x.log.durableSeq)
	if upTo > confirm && dest >= x.cfg.Partitions && x.needs(upTo) <= x.log.durableSeq {
		// A read-only input's responses: its confirmed update follows it
		// in the log, so confirming it cannot outlive it.
		confirm = s.sentUpTo
	}
	x.stats.Sends++
	// Every send needs its outbox entries durable (the simulator checks
	// it), except a speculative one that left before they were.
	var needs port.Mark
	if upTo > 0 && (upTo <= x.log.durableSeq || !x.speculative(dest)) {
		needs = port.Mark{Log: x.log.name, Pos: upTo}
		if dest >= x.cfg.Partitions {
			needs.Pos = min(upTo, x.needs(upTo))
		}
	}
	x.IssueMarked(port.StreamAppend{Partition: dest, Records: records}, needs, port.Mark{},
		outboxSent{dest: dest, prev: prev, prevTold: prevTold, confirm: confirm})
}

// outboxSent: an append to dest's stream came back: confirm the outbox
// entries it made durable there (up to confirm), or roll the sender back
// to what it had sent and told before (prev, prevTold) and retry.
type outboxSent struct {
	dest                    int
	prev, prevTold, confirm int64
}

func (k outboxSent) Then() reactor.Then {
	return reactor.Then{Step: "outbox-sent", About: fmt.Sprintf("to %d confirming seq %d", k.dest, k.confirm)}
}

func (k outboxSent) step(x *Partition, o reactor.Outcome) {
	s := x.senders[k.dest]
	s.inflight = false
	if c := o.Completion; c.Err != nil {
		s.sentUpTo, s.told = k.prev, k.prevTold
		x.cfg.logf("netherite p%02d: append to stream %d: %v (retrying)", x.p, k.dest, c.Err)
		x.After(x.k.PollInterval, wake{})
		return
	}
	if x.phase == phaseRunning && k.confirm > s.confirmed {
		s.confirmed = k.confirm
		x.submit(update{Body: confirmed{Dest: k.dest, UpTo: k.confirm}})
	}
}

// wake: a timer whose firing only steps the partition (after a failed
// send, or a restart's AcquireRetry).
type wake struct{}

func (wake) Then() reactor.Then { return reactor.Then{Step: "wake"} }

func (wake) step(*Partition, reactor.Outcome) {}

// inputReader is the volatile read state of the partition's input stream.
type inputReader struct {
	pos     int64
	toEnd   bool  // skip to the stream's end at the first read (PlantedForgetInputPosition)
	verify  bool  // the next read checks the record consumed last (inputcheck.go)
	peek    int64 // next position a learn-only read takes (stoppeek.go)
	ahead   bool  // the next read is a learn-only one past a held read
	reading bool
	waiting bool // a poll timer is set
	seen    map[int]int64
}

// read issues the next read of the input stream unless one is in flight
// or a poll timer is pending.
func (x *Partition) read() {
	r := &x.in
	if r.reading || r.waiting || x.phase != phaseRunning {
		return
	}
	if x.log.full() {
		x.peekWhileHeld()
		return
	}
	if r.ahead {
		x.peek(phaseRunning)
		return
	}
	r.reading = true
	from := r.pos
	if r.verify {
		from-- // the record consumed last, to check it (inputcheck.go)
	}
	x.Issue(port.StreamRead{Partition: x.p, From: from, Max: x.k.MaxReadRecords}, inputRead{})
}

// inputRead: a read of the input stream came back: receive its batches.
type inputRead struct{}

func (inputRead) Then() reactor.Then { return reactor.Then{Step: "read"} }

func (inputRead) step(x *Partition, o reactor.Outcome) {
	r, c := &x.in, o.Completion
	r.reading = false
	recs, _ := c.Result.(port.Records)
	if c.Err == nil && r.verify {
		var ok bool
		if recs, ok = x.verifyInput(recs); !ok {
			return
		}
	}
	if c.Err != nil || len(recs.Records) == 0 {
		if c.Err != nil {
			x.cfg.logf("netherite p%02d: read stream: %v", x.p, c.Err)
		}
		r.waiting = true
		x.After(x.k.PollInterval, readAgain{})
		return
	}
	if r.toEnd { // planted bug: the recorded position is ignored
		r.toEnd, r.pos = false, recs.End
		return
	}
	if x.phase == phaseRunning {
		// One received update must fit one flush.
		x.received(boundRead(recs, min(maxReceivedBytes, x.log.maxRecords()/2))) // else the next owner reads them again
	}
}

// readAgain: the poll interval after an empty (or held) read has passed.
type readAgain struct{}

func (readAgain) Then() reactor.Then { return reactor.Then{Step: "read-again"} }

func (readAgain) step(x *Partition, _ reactor.Outcome) { x.in.waiting = false }

// maxReceivedBytes bounds the stream records one received update takes, so
// its log record fits one page write; the rest is read again next time.
const maxReceivedBytes = port.MaxPageWriteBytes / 2

// boundRead keeps the longest prefix of recs (at least one record) whose
// records add up to at most max bytes.
func boundRead(recs port.Records, max int) port.Records {
	total := 0
	for i, rec := range recs.Records {
		total += len(rec)
		if total > max && i > 0 {
			recs.Records = recs.Records[:i]
			break
		}
	}
	return recs
}

// decodeBatches decodes a read's records; ok[i] is false for a record that
// does not decode (it is dropped, with a log line).
func (x *Partition) decodeBatches(recs port.Records) (bs []batch, ok []bool) {
	bs, ok = make([]batch, len(recs.Records)), make([]bool, len(recs.Records))
	for i, rec := range recs.Records {
		b, err := decodeBatch(rec)
		if err != nil {
			x.cfg.logf("netherite p%02d: stream record %d dropped: %v", x.p, recs.First+int64(i), err)
			continue
		}
		bs[i], ok[i] = b, true
	}
	return bs, ok
}

// received logs the batches of a read that are not duplicates. Under
// global speculation it first learns the senders' epochs and durable
// positions from every record of the read, then admits batches in order.
func (x *Partition) received(recs port.Records) {
	r := &x.in
	bs, ok := x.decodeBatches(recs)
	global := x.k.Speculation == SpeculationGlobal
	if global && !x.global.learn(x, bs, ok) {
		return // a soft restart began
	}
	u := received{InputPos: recs.First + int64(len(recs.Records))}
	for i := range bs {
		b := bs[i]
		if !ok[i] {
			continue
		}
		if global && b.Origin < x.cfg.Partitions {
			admit, hold := x.global.admit(b)
			if hold {
				u.InputPos = recs.First + int64(i) // read it again once confirmed
				x.holdAt(recs)
				break
			}
			if !admit {
				continue
			}
		}
		if b.Origin == x.cfg.monitorStream() {
			if b.Offload != nil {
				x.offload(b.Offload)
			}
			continue // advice: neither logged nor deduplicated
		}
		if b.Pos <= r.seen[b.Origin] && x.k.Planted != PlantedSkipDedup {
			x.stats.Duplicates++
			continue
		}
		r.seen[b.Origin] = b.Pos
		u.Batches = append(u.Batches, b)
	}
	r.pos = u.InputPos
	x.work["receive"] += len(recs.Records)
	if len(u.Batches) > 0 {
		u.Check = recordCheck(recs.Records[u.InputPos-recs.First-1])
		readOnly, before := x.readOnly(&u), x.log.lastSeq
		seq := x.submit(update{Body: u})
		if readOnly {
			x.readOnlyAt[seq] = before
		}
		x.global.depend(x, seq, &u)
	}
}
