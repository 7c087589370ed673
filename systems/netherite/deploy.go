package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/systems"
)

// Sim deploys the Netherite engine on the simulator: partition i on node
// i mod N, with a standby core of it (netherite.NewStandby) on every other
// node, so that a live node takes the partition over once the lease of a
// node that crashed and did not come back expires; one client core and
// the load monitor on a node of their own.
//
// Standby ranks spread a node's partitions over the others: the standby
// of rank r of partition i is on node h+1+((i div N)+r-1) mod (N-1) (mod
// N), h = i mod N; with the ranks' polling (standby.go) the orphaned
// partitions of a node go to its partitions' rank-1 standbys, so in turn
// to each other node, as long as those are up.
//
// The client node is a load node (sim.Driver.AddLoadNode): the load
// generator is not the system under test, so its CPU is not modelled.
type Sim struct {
	Partitions int
	Knobs      netherite.Knobs
	// ThroughputUnits are the Event Hubs namespace's TUs: every stream
	// append (partitions' and clients' sends) passes one namespace-wide
	// ingress cap of ThroughputUnits × 1,000 events/s and × 1 MB/s (0 or
	// -1: unlimited).
	ThroughputUnits int
	// StandbyRanks is how many standbys each partition has, ranks 1..n on
	// the first n nodes of its rank order (0 or -1: every other node). Every
	// standby's first try for its lease comes AcquireRetry after it
	// starts, so on large clusters the default puts P × (N−1) lease
	// requests into that instant.
	StandbyRanks int
	// Logf receives the engine's notable events (nil: dropped).
	Logf func(format string, args ...any)
	// Cores are the partition cores of the last Deploy, by partition (the
	// ones placed on node i mod N); Standbys are their standbys, by
	// partition, in rank order.
	Cores    []sim.CoreID
	Standbys [][]sim.CoreID
	// Monitor is the load monitor core of the last Deploy.
	Monitor sim.CoreID

	cfg   *netherite.Config
	nodes []sim.NodeID
	// placed lists every core of each partition (deployed, standby, or
	// added by a move), in the order added; owner is each one's lease
	// owner name.
	placed [][]sim.CoreID
	owner  map[sim.CoreID]string
	// leases records who acquired and released each partition's lease,
	// in order (watchLeases fills it); logs maps log names to partitions.
	leases []leaseEvent
	logs   map[string]int
	last   map[int]leaseEvent // by partition: its latest lease event
}

// Name implements systems.Deployment.
func (n *Sim) Name() string {
	return fmt.Sprintf("netherite-P%d-%s", n.Partitions, n.Knobs.Speculation)
}

// StreamPartitions implements systems.Deployment.
func (n *Sim) StreamPartitions() int {
	return (&netherite.Config{Partitions: n.Partitions, Clients: 1}).StreamPartitions()
}

// Deploy implements systems.Deployment.
func (n *Sim) Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error) {
	cfg := &netherite.Config{Hub: "hub", Partitions: n.Partitions, Clients: 1, Registry: reg, Knobs: n.Knobs, Logf: n.Logf}
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	n.Cores, n.Standbys = n.Cores[:0], make([][]sim.CoreID, n.Partitions)
	n.cfg, n.nodes, n.placed = cfg, append([]sim.NodeID(nil), nodes...), make([][]sim.CoreID, n.Partitions)
	n.owner, n.leases, n.logs, n.last = map[sim.CoreID]string{}, nil, map[string]int{}, map[int]leaseEvent{}
	for p := range n.Partitions {
		n.logs[n.logName(p)] = p
	}
	d.OnCompletion(n.watchLeases)
	if c, ok := EventHubsCap(n.ThroughputUnits); ok {
		if err := d.AddCap(c); err != nil {
			return 0, err
		}
	}
	for p := 0; p < n.Partitions; p++ {
		id, err := n.addPartition(d, cfg, nodes[p%len(nodes)], p, 0)
		if err != nil {
			return 0, err
		}
		n.Cores = append(n.Cores, id)
		for r, node := range n.standbyNodes(p, len(nodes)) {
			if id, err = n.addPartition(d, cfg, nodes[node], p, r+1); err != nil {
				return 0, err
			}
			n.Standbys[p] = append(n.Standbys[p], id)
		}
	}
	if _, err := netherite.NewClient(cfg, 0); err != nil {
		return 0, err
	}
	if _, err := netherite.NewLoadMonitor(cfg); err != nil {
		return 0, err
	}
	cn := d.AddLoadNode("client")
	n.Monitor = d.AddCore(cn, "monitor", func() port.Core {
		m, _ := netherite.NewLoadMonitor(cfg)
		return m
	})
	client := d.AddCore(cn, "client", func() port.Core {
		c, _ := netherite.NewClient(cfg, 0)
		return c
	})
	// A partition that failed for good fails the calls for its instances
	// instead of leaving them waiting, as on the real driver (real.Failed).
	d.OnHealth(func(now port.Time, _ sim.CoreID, h port.Health) {
		if down, ok := partitionDown(h); ok {
			d.Call(now, client, port.ClientCall{Req: down})
		}
	})
	return client, nil
}

// EventHubsCap is the ingress cap of an Event Hubs namespace of tus
// throughput units (false for tus <= 0: unlimited).
func EventHubsCap(tus int) (sim.Cap, bool) {
	if tus <= 0 {
		return sim.Cap{}, false
	}
	return sim.Cap{Name: "event-hubs-ingress", Ops: []string{"stream-append"}, Scope: sim.ScopeAccount,
		UnitsPerSec: float64(tus * EventsPerSecPerTU), MBPerSec: float64(tus) * IngressMBPerTU, BurstSec: EventHubsBurstSec,
		Doc: fmt.Sprintf("%d throughput units × (1,000 events/s or 1 MB/s of ingress), Event Hubs scalability documentation", tus)}, true
}

// standbyNodes returns the indexes of the nodes of partition p's
// standbys among nodes, in rank order, the first StandbyRanks of them.
func (n *Sim) standbyNodes(p, nodes int) []int {
	all := standbyNodes(p, nodes)
	if n.StandbyRanks > 0 && n.StandbyRanks < len(all) {
		return all[:n.StandbyRanks]
	}
	return all
}

// standbyNodes returns the indexes of the nodes of partition p's
// standbys among n nodes, in rank order (see Sim).
func standbyNodes(p, n int) []int {
	if n < 2 {
		return nil
	}
	h, out := p%n, make([]int, 0, n-1)
	for r := 0; r < n-1; r++ {
		out = append(out, (h+1+(p/n+r)%(n-1))%n)
	}
	return out
}

// addPartition adds a core of p on node: a standby of rank if rank > 0.
func (n *Sim) addPartition(d *sim.Driver, cfg *netherite.Config, node sim.NodeID, p, rank int) (sim.CoreID, error) {
	owner := n.ownerName(d, node, p)
	newCore := func() (*netherite.Partition, error) {
		if rank > 0 {
			return netherite.NewStandby(cfg, p, owner, rank)
		}
		return netherite.NewPartition(cfg, p, owner)
	}
	if _, err := newCore(); err != nil {
		return 0, err
	}
	id := d.AddCore(node, fmt.Sprintf("p%02d", p), func() port.Core {
		x, _ := newCore()
		return x
	})
	n.placed[p] = append(n.placed[p], id)
	n.owner[id] = owner
	return id, nil
}

// ownerName names the lease owner of a new core of p on node: the node's
// name, and for a further core of p there (a move back to a node whose
// earlier core was stopped) the name with a count, so that when the node
// restarts and both cores come back, the lease admits one of them.
func (n *Sim) ownerName(d *sim.Driver, node sim.NodeID, p int) string {
	k := 0
	for _, c := range n.placed[p] {
		if d.CoreNode(c) == node {
			k++
		}
	}
	if k == 0 {
		return nodeOwner(node)
	}
	return fmt.Sprintf("%s.%d", nodeOwner(node), k)
}

// nodeOwner is the lease owner name of the first core of a partition on
// node.
func nodeOwner(node sim.NodeID) string { return fmt.Sprintf("node%d", node) }

// logName and leaseID name a partition's commit log blob and the lease id
// a core of owner takes (as engine/netherite names them).
func (n *Sim) logName(p int) string { return fmt.Sprintf("%s/p%02d/log", n.cfg.Hub, p) }

func (n *Sim) leaseID(owner string, p int) string {
	return fmt.Sprintf("%s/%s/p%02d", owner, n.cfg.Hub, p)
}

func (n *Sim) logf(format string, args ...any) {
	if n.Logf != nil {
		n.Logf(format, args...)
	}
}

// AllCores lists every partition core of the last Deploy (deployed,
// standby, or added by a move), by partition, then in the order added.
func (n *Sim) AllCores() []sim.CoreID {
	var out []sim.CoreID
	for _, cores := range n.placed {
		out = append(out, cores...)
	}
	return out
}

// leaseEvent is one acquisition (held) or release of a partition's lease
// by a core.
type leaseEvent struct {
	at   port.Time
	p    int
	core sim.CoreID
	held bool
}

// watchLeases records every lease acquisition and release of a log.
func (n *Sim) watchLeases(now port.Time, c sim.CoreID, op port.Op, err error) {
	if err != nil {
		return
	}
	var e leaseEvent
	switch o := op.(type) {
	case port.LeaseAcquire:
		p, ok := n.logs[o.Name]
		if !ok {
			return
		}
		e = leaseEvent{at: now, p: p, core: c, held: true}
	case port.LeaseRelease:
		p, ok := n.logs[o.Name]
		if !ok || n.last[p].core != c {
			return // not the holder's release
		}
		e = leaseEvent{at: now, p: p, core: c}
	default:
		return
	}
	n.leases, n.last[e.p] = append(n.leases, e), e
}

// Owner returns the core that runs partition p now: the last one that
// acquired its lease, if it runs. A core that lost the lease (broken, or
// taken after it expired) may still run until its next write or renewal
// fails; it cannot make anything durable, and it is not the owner.
func (n *Sim) Owner(d *sim.Driver, p int) (sim.CoreID, bool) {
	c, ok := n.holder(p, d.Kernel().Now())
	if !ok {
		return 0, false
	}
	x, running := d.Core(c).(*netherite.Partition)
	return c, running && x.Owns()
}

// holder returns the core that last acquired p's lease at or before t,
// unless it released it since (a lease broken or expired since is not
// seen here).
func (n *Sim) holder(p int, t port.Time) (sim.CoreID, bool) {
	if e := n.last[p]; len(n.leases) == 0 || t >= n.leases[len(n.leases)-1].at {
		return e.core, e.held // now (the common case)
	}
	var e leaseEvent
	for _, x := range n.leases {
		if x.at > t {
			break
		}
		if x.p == p {
			e = x
		}
	}
	return e.core, e.held
}

// TakeoverOf implements systems.Takeovers: what became of the partitions
// whose lease a core on node held at the crash at time at. A partition
// not running now, or running in a life that started before the crash,
// has Since -1.
func (n *Sim) TakeoverOf(d *sim.Driver, node sim.NodeID, at port.Time) systems.Takeover {
	var t systems.Takeover
	for p := range n.Partitions {
		c, ok := n.holder(p, at)
		if !ok || d.CoreNode(c) != node {
			continue
		}
		where, since := node, port.Time(-1)
		if c, ok := n.Owner(d, p); ok {
			where = d.CoreNode(c)
			if s, _ := d.Core(c).(*netherite.Partition).RunningSince(); s >= at {
				since = s
			}
		}
		t.Partitions, t.Nodes, t.Since = append(t.Partitions, p), append(t.Nodes, where), append(t.Since, since)
	}
	return t
}
