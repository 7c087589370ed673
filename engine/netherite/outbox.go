package netherite

import (
	"sort"

	"github.com/dflab/dflab/engine/port"
)

// sender is the volatile send state for one destination stream partition:
// at most one append in flight, so batches arrive in position order and a
// receiver's "last position seen" dedup never skips one.
type sender struct {
	inflight bool
	sentUpTo int64 // highest outbox seq included in an append this life
}

// sendable is the highest seq whose outbox entries may leave now.
func (x *Partition) sendable() int64 {
	if x.k.Speculation == SpeculationGlobal {
		return x.log.lastSeq
	}
	return x.log.durableSeq
}

// send issues one append per idle destination with every outbox entry that
// may leave and was not sent yet in this life.
func (x *Partition) send() {
	limit := x.sendable()
	type pending struct {
		records [][]byte
		bytes   int
		upTo    int64
		full    bool
	}
	var byDest map[int]*pending
	for i := range x.st.Outbox {
		e := &x.st.Outbox[i]
		if e.Seq > limit {
			break
		}
		s := x.senders[e.Dest]
		if s == nil {
			s = &sender{}
			x.senders[e.Dest] = s
		}
		if s.inflight || e.Seq <= s.sentUpTo {
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
		b := batch{Origin: x.p, Pos: e.Seq, Messages: e.Messages, Responses: e.Responses}
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
}

func (x *Partition) appendTo(dest int, records [][]byte, upTo int64) {
	s := x.senders[dest]
	s.inflight = true
	prev := s.sentUpTo
	s.sentUpTo = upTo
	x.stats.Sends++
	var needs port.Mark
	if x.k.Speculation != SpeculationGlobal {
		needs = port.Mark{Log: x.log.name, Pos: upTo}
	}
	x.issue(port.StreamAppend{Partition: dest, Records: records}, needs, port.Mark{}, func(c port.Completion) {
		s.inflight = false
		if c.Err != nil {
			s.sentUpTo = prev
			x.cfg.logf("netherite p%02d: append to stream %d: %v (retrying)", x.p, dest, c.Err)
			x.after(x.k.PollInterval, func() {})
			return
		}
		if x.phase == phaseRunning {
			x.submit(update{Kind: updConfirmed, Dest: dest, Num: upTo})
		}
	})
}

// inputReader is the volatile read state of the partition's input stream.
type inputReader struct {
	pos     int64
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
	r.reading = true
	x.issue(port.StreamRead{Partition: x.p, From: r.pos, Max: x.k.MaxReadRecords}, port.Mark{}, port.Mark{},
		func(c port.Completion) {
			r.reading = false
			recs, _ := c.Result.(port.Records)
			if c.Err != nil || len(recs.Records) == 0 {
				if c.Err != nil {
					x.cfg.logf("netherite p%02d: read stream: %v", x.p, c.Err)
				}
				r.waiting = true
				x.after(x.k.PollInterval, func() { r.waiting = false })
				return
			}
			if x.phase == phaseRunning {
				x.received(recs) // else the next owner reads them again
			}
		})
}

// received logs the batches of a read that are not duplicates.
func (x *Partition) received(recs port.Records) {
	r := &x.in
	u := update{Kind: updReceived, Num: recs.First + int64(len(recs.Records))}
	for i, rec := range recs.Records {
		b, err := decodeBatch(rec)
		if err != nil {
			x.cfg.logf("netherite p%02d: stream record %d dropped: %v", x.p, recs.First+int64(i), err)
			continue
		}
		if b.Pos <= r.seen[b.Origin] {
			x.stats.Duplicates++
			continue
		}
		r.seen[b.Origin] = b.Pos
		u.Batches = append(u.Batches, b)
	}
	r.pos = u.Num
	x.work["receive"] += len(recs.Records)
	if len(u.Batches) > 0 {
		x.submit(u)
	}
}
