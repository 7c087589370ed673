package netherite

import (
	"context"
	"encoding/binary"
	"strings"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
)

// SimTarget returns the plan target of this deployment (call it after
// Deploy): crash and restart by node name, and
//   - move pP NODE: the running owner of partition P stops gracefully
//     (netherite.Stop: flush, checkpoint, release the lease) and a core of P
//     on NODE (a waiting one, else a new one) takes the lease and recovers:
//     it is sent netherite.TakeOver when the move starts and when the old
//     owner released the lease, so that it tries before P's standbys;
//   - lease-loss pP: the lease on P's commit log is broken (its owner's next
//     write fails with a lost lease and the partition restarts from storage);
//   - torn-tail pP at crash: if the crashed node still holds P's lease, a
//     torn record (a plausible length, a bad checksum) is written where the
//     log's last acknowledged page write ended (the log is circular: that is
//     where the next flush would have gone), as a flush cut by the crash
//     leaves it; recovery must cut it;
//   - lose-unsynced at crash: the unsynced writes of the logs of partitions
//     whose lease a core on the node held are lost (store.CrashBlobs;
//     nothing is unsynced unless the store is disk-like, as Azure page
//     blobs acknowledge durably).
//
// r draws the lost pages; each action writes one log line through Logf.
func (n *Sim) SimTarget(d *sim.Driver, store *mem.Store, r *rng.Source) *inject.SimTarget {
	g := &netheriteGlue{n: n, d: d, store: store, r: r, stopped: map[port.Core]bool{}, ends: map[string]int64{},
		moving: map[int]sim.CoreID{}}
	d.OnCompletion(g.completed)
	return &inject.SimTarget{Driver: d, Nodes: systems.NodeNames(d, n.nodes), Partitions: n.Partitions,
		OnMove: g.move, OnLeaseLoss: g.leaseLoss, OnTearTail: g.tearTail, OnLoseUnsynced: g.loseUnsynced}
}

var (
	_ systems.FaultGlue = (*Sim)(nil)
	_ systems.Takeovers = (*Sim)(nil)
)

type netheriteGlue struct {
	n       *Sim
	d       *sim.Driver
	store   *mem.Store
	r       *rng.Source
	calls   port.CallID
	stopped map[port.Core]bool // cores (of one life) sent a Stop
	ends    map[string]int64   // by page blob: where its last acknowledged write ended
	moving  map[int]sim.CoreID // by partition: the core a move goes to
}

func (g *netheriteGlue) completed(now port.Time, c sim.CoreID, op port.Op, err error) {
	if err != nil {
		return
	}
	switch o := op.(type) {
	case port.PageWrite:
		g.ends[o.Name] = o.Off + int64(len(o.Data))
	case port.LeaseAcquire:
		if p, ok := g.n.logs[o.Name]; ok {
			delete(g.moving, p)
		}
	case port.LeaseRelease:
		if to, ok := g.moving[g.n.logs[o.Name]]; ok {
			g.takeOver(now, to)
		}
	}
}

// takeOver tells core c to try for its lease now.
func (g *netheriteGlue) takeOver(now port.Time, c sim.CoreID) {
	g.calls++
	g.d.Deliver(now, c, port.ClientCall{ID: systems.ControlCalls + g.calls, Req: netherite.TakeOver{}})
}

func (g *netheriteGlue) node(name string) sim.NodeID { return systems.NodeNames(g.d, g.n.nodes)[name] }

// owner returns the core now running partition p.
func (g *netheriteGlue) owner(p int) (sim.CoreID, bool) { return g.n.Owner(g.d, p) }

func (g *netheriteGlue) move(p int, name string) {
	to := g.node(name)
	from, running := g.owner(p)
	if running && g.d.CoreNode(from) == to {
		g.n.logf("glue: move p%02d to %s: already there", p, name)
		return
	}
	// A core of p already on the node waits for the lease, unless it was
	// stopped in this life; one on a node that is down waits once the node
	// restarts. Adding another would put two cores under one lease owner.
	target, waiting := sim.CoreID(0), false
	for _, c := range g.n.placed[p] {
		if g.d.CoreNode(c) != to || running && c == from {
			continue
		}
		if core := g.d.Core(c); core == nil || !g.stopped[core] {
			target, waiting = c, true
		}
	}
	if !waiting {
		var err error
		if target, err = g.n.addPartition(g.d, g.n.cfg, to, p, 0); err != nil {
			g.n.logf("glue: move p%02d to %s: %v", p, name, err)
			return
		}
	}
	if g.d.NodeUp(to) {
		g.moving[p] = target
		if waiting {
			g.takeOver(g.d.Kernel().Now(), target)
		}
	}
	if !running {
		g.n.logf("glue: move p%02d to %s: no running owner to stop; the core there waits for the lease", p, name)
		return
	}
	g.stopped[g.d.Core(from)] = true
	g.calls++
	g.d.Deliver(g.d.Kernel().Now(), from, port.ClientCall{ID: systems.ControlCalls + g.calls, Req: netherite.Stop{}})
	g.n.logf("glue: move p%02d to %s: stop sent to %s", p, name, g.d.CoreName(from))
}

func (g *netheriteGlue) leaseLoss(p int) {
	_, err := g.store.BreakLease(context.Background(), g.n.logName(p), 0)
	g.n.logf("glue: lease-loss p%02d: break lease on %s: %v", p, g.n.logName(p), err)
}

// tornRecord is a page that starts like a commit-log record (a length) but
// whose checksum cannot match.
func tornRecord() []byte {
	junk := make([]byte, port.PageSize)
	binary.LittleEndian.PutUint32(junk, 100)
	binary.LittleEndian.PutUint32(junk[4:], 0xdeadbeef)
	copy(junk[8:], "torn")
	return junk
}

func (g *netheriteGlue) tearTail(name string, p int) {
	log := g.n.logName(p)
	end := g.ends[log]
	size := g.n.cfg.Knobs.LogBytes
	if size == 0 {
		size = netherite.DefaultKnobs().LogBytes
	}
	if end+port.PageSize > size {
		end = 0 // a lap ended there: the next flush goes to the blob's start
	}
	// Write under the lease of p's core on the node (the one running p, if
	// one does): the tear is that core's last write.
	owner := nodeOwner(g.node(name))
	if c, ok := g.n.holder(p, g.d.Kernel().Now()); ok && g.d.CoreNode(c) == g.node(name) {
		owner = g.n.owner[c]
	}
	_, err := g.store.WritePages(context.Background(), log, end, tornRecord(),
		port.Cond{LeaseID: g.n.leaseID(owner, p)})
	if err != nil {
		g.n.logf("glue: torn-tail p%02d on %s: not torn: %v", p, name, err)
		return
	}
	g.n.logf("glue: torn-tail p%02d on %s: torn record at offset %d", p, name, end)
}

func (g *netheriteGlue) loseUnsynced(name string) {
	at := g.node(name)
	var prefixes []string
	for p := range g.n.Partitions {
		if c, ok := g.n.holder(p, g.d.Kernel().Now()); ok && g.d.CoreNode(c) == at {
			prefixes = append(prefixes, strings.TrimSuffix(g.n.logName(p), "log"))
		}
	}
	lost := g.store.CrashBlobs(g.r, func(blob string) bool {
		for _, pre := range prefixes {
			if strings.HasPrefix(blob, pre) {
				return true
			}
		}
		return false
	})
	g.n.logf("glue: lose-unsynced on %s: %d blobs had unsynced writes", name, lost)
}
