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
//     on NODE (a waiting one, else a new one) takes the lease and recovers;
//   - lease-loss pP: the lease on P's commit log is broken (its owner's next
//     write fails with a lost lease and the partition restarts from storage);
//   - torn-tail pP at crash: if the crashed node still holds P's lease, a
//     torn record (a plausible length, a bad checksum) is written where the
//     log's last acknowledged page write ended (the log is circular: that is
//     where the next flush would have gone), as a flush cut by the crash
//     leaves it; recovery must cut it;
//   - lose-unsynced at crash: the unsynced writes of the logs of partitions
//     placed on the node are lost (store.CrashBlobs; nothing is unsynced
//     unless the store is disk-like, as Azure page blobs acknowledge
//     durably).
//
// r draws the lost pages; each action writes one log line through Logf.
func (n *Sim) SimTarget(d *sim.Driver, store *mem.Store, r *rng.Source) *inject.SimTarget {
	g := &netheriteGlue{n: n, d: d, store: store, r: r, stopped: map[port.Core]bool{}, ends: map[string]int64{}}
	d.OnCompletion(g.completed)
	return &inject.SimTarget{Driver: d, Nodes: systems.NodeNames(d, n.nodes), Partitions: n.Partitions,
		OnMove: g.move, OnLeaseLoss: g.leaseLoss, OnTearTail: g.tearTail, OnLoseUnsynced: g.loseUnsynced}
}

var _ systems.FaultGlue = (*Sim)(nil)

type netheriteGlue struct {
	n       *Sim
	d       *sim.Driver
	store   *mem.Store
	r       *rng.Source
	calls   port.CallID
	stopped map[port.Core]bool // cores (of one life) sent a Stop
	ends    map[string]int64   // by page blob: where its last acknowledged write ended
}

func (g *netheriteGlue) completed(_ port.Time, _ sim.CoreID, op port.Op, err error) {
	if w, ok := op.(port.PageWrite); ok && err == nil {
		g.ends[w.Name] = w.Off + int64(len(w.Data))
	}
}

func (g *netheriteGlue) node(name string) sim.NodeID { return systems.NodeNames(g.d, g.n.nodes)[name] }

// owner returns the core now running partition p.
func (g *netheriteGlue) owner(p int) (sim.CoreID, bool) {
	for _, c := range g.n.placed[p] {
		if x, ok := g.d.Core(c).(*netherite.Partition); ok && x.Owns() {
			return c, true
		}
	}
	return 0, false
}

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
	waiting := false
	for _, c := range g.n.placed[p] {
		if g.d.CoreNode(c) != to || running && c == from {
			continue
		}
		if core := g.d.Core(c); core == nil || !g.stopped[core] {
			waiting = true
		}
	}
	if !waiting {
		if _, err := g.n.addPartition(g.d, g.n.cfg, to, p); err != nil {
			g.n.logf("glue: move p%02d to %s: %v", p, name, err)
			return
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

// TornRecord is a page that starts like a commit-log record (a length) but
// whose checksum cannot match.
func TornRecord() []byte {
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
	for _, c := range g.n.placed[p] {
		if g.d.CoreNode(c) != g.node(name) {
			continue
		}
		if x, ok := g.d.Core(c).(*netherite.Partition); ok && x.Owns() {
			owner = g.n.owner[c]
		}
	}
	_, err := g.store.WritePages(context.Background(), log, end, TornRecord(),
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
	for p, cores := range g.n.placed {
		for _, c := range cores {
			if g.d.CoreNode(c) == at {
				prefixes = append(prefixes, strings.TrimSuffix(g.n.logName(p), "log"))
				break
			}
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
