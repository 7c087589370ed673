package netherite

import (
	"fmt"
	"sort"
)

// globalSpec is the receiver side of global speculation.
//
// Partitions send to each other before their updates are durable; every
// batch carries the sender's epoch (one per life) and durable seq, and
// senders tell progress with confirmation batches (position 0). A
// receiver applies speculative input at once but flushes no log record at
// or after one that depends on input not yet known durable at its sender,
// so its own commits, checkpoints and client responses never get ahead of
// its inputs.
//
// When a sender starts a new epoch, its speculative batches of earlier
// epochs beyond what they reported durable may be lost. The receiver then
// drops such batches when it reads them, and if it already applied one,
// it restarts softly from its durable state (which never includes it),
// reads its input again, and stays cautious for the rest of its life
// (it waits for speculative input to be confirmed before consuming it). A dropped batch that was in fact durable is
// resent by the sender: it confirms a speculative send only once it has
// told the receiver, after the batch, that it became durable.
type globalSpec struct {
	known map[int]map[int64]int64 // origin → epoch → seq known durable
	top   map[int]int64           // origin → newest epoch seen
	deps  []dep                   // updates that consumed speculative input, by seq
	// cautious is set by a soft restart: the partition consumes no more
	// speculative input in this life, so restarts cannot chase each other
	// around a ring of partitions.
	cautious bool
}

// dep: the update at seq consumed origin's batch at pos of epoch.
type dep struct {
	seq    int64
	origin int
	epoch  int64
	pos    int64
}

// learn takes in the epochs and durable positions the batches of a read
// carry. It returns false if a soft restart began: a sender started a new
// epoch while this partition had consumed its speculative input.
//
// Everything the read tells is learnt before that decision, and the
// restart keeps it: a new life that forgot the new epoch would take the
// old epoch's lost batches for merely unconfirmed ones and, cautious,
// wait at the first of them forever (the record that tells the new epoch
// may lie beyond what one read returns).
func (g *globalSpec) learn(x *Partition, bs []batch, ok []bool) bool {
	if g.known == nil {
		g.known, g.top = map[int]map[int64]int64{}, map[int]int64{}
	}
	var newer []int // origins whose epoch advanced, in read order
	for i := range bs {
		b := &bs[i]
		if !ok[i] || b.Origin >= x.cfg.Partitions {
			continue
		}
		o, e := b.Origin, b.Epoch
		if e > g.top[o] {
			newer = append(newer, o)
			g.top[o] = e
		}
		k := g.known[o]
		if k == nil {
			k = map[int64]int64{}
			g.known[o] = k
		}
		k[e] = max(k[e], b.Durable)
	}
	for _, o := range newer {
		if g.uncertain(o, g.top[o]) {
			x.restart(fmt.Sprintf("partition %d started a new epoch while input from it was speculative", o), true)
			return false
		}
	}
	return true
}

// admit decides on a batch from a partition: receive it, skip it (a
// confirmation, or possibly lost with an ended epoch: the sender resends
// it if it was durable), or hold the read at it (a cautious partition
// consumes no speculative input).
func (g *globalSpec) admit(b batch) (admit, hold bool) {
	durable := b.Pos <= g.known[b.Origin][b.Epoch]
	switch {
	case b.Pos == 0:
		return false, false
	case b.Epoch < g.top[b.Origin] && !durable:
		return false, false
	case g.cautious && !durable:
		return false, true
	}
	return true, false
}

// uncertain reports whether an update consumed a batch of origin from an
// epoch before e that was not known durable.
func (g *globalSpec) uncertain(o int, e int64) bool {
	for _, d := range g.deps {
		if d.origin == o && d.epoch < e && d.pos > g.known[o][d.epoch] {
			return true
		}
	}
	return false
}

// depend records the speculative inputs of the received update of seq
// (just submitted).
func (g *globalSpec) depend(x *Partition, seq int64, r *received) {
	for _, b := range r.Batches {
		if b.Origin < x.cfg.Partitions && b.Pos > b.Durable {
			g.deps = append(g.deps, dep{seq: seq, origin: b.Origin, epoch: b.Epoch, pos: b.Pos})
		}
	}
}

// flushLimit is the highest seq that may be flushed now.
func (g *globalSpec) flushLimit(x *Partition) int64 {
	i := 0
	for i < len(g.deps) && g.known[g.deps[i].origin][g.deps[i].epoch] >= g.deps[i].pos {
		i++
	}
	g.deps = g.deps[i:]
	if len(g.deps) > 0 {
		return g.deps[0].seq - 1
	}
	return x.log.lastSeq
}

// resume, after recovery, announces the new epoch to every partition.
func (g *globalSpec) resume(x *Partition) {
	for d := 0; d < x.cfg.Partitions; d++ {
		if d != x.p {
			x.sender(d).announce = true
		}
	}
}

// sendConfirmations tells idle destinations that got speculative batches
// how far this partition is durable, and announces a new epoch.
func (x *Partition) sendConfirmations() {
	dests := make([]int, 0, len(x.senders))
	for d, s := range x.senders {
		if d < x.cfg.Partitions && !s.inflight && (s.announce || (s.sentUpTo > s.told && x.log.durableSeq > s.told)) {
			dests = append(dests, d)
		}
	}
	sort.Ints(dests)
	for _, d := range dests {
		b := batch{Origin: x.p, Epoch: x.log.epoch, Durable: x.log.durableSeq}
		e := enc{}
		b.encode(&e)
		x.appendTo(d, [][]byte{e.b}, 0)
	}
}
