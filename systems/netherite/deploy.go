package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
)

// Sim deploys the Netherite engine on the simulator: partition i on node
// i mod N, one client core and the load monitor on a node of their own.
type Sim struct {
	Partitions int
	Knobs      netherite.Knobs
	// Logf receives the engine's notable events (nil: dropped).
	Logf func(format string, args ...any)
	// Standby adds, for partition i, a second core on node i+1 mod N that
	// waits for the lease (for partition move tests).
	Standby bool
	// Cores are the partition cores of the last Deploy, by partition; with
	// Standby, Standbys are the second cores.
	Cores, Standbys []sim.CoreID
	// Monitor is the load monitor core of the last Deploy.
	Monitor sim.CoreID

	cfg   *netherite.Config
	nodes []sim.NodeID
	// placed lists every core of each partition (deployed, standby, or
	// added by a move), in the order added; owner is each one's lease
	// owner name.
	placed [][]sim.CoreID
	owner  map[sim.CoreID]string
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
	n.Cores, n.Standbys = n.Cores[:0], n.Standbys[:0]
	n.cfg, n.nodes, n.placed = cfg, append([]sim.NodeID(nil), nodes...), make([][]sim.CoreID, n.Partitions)
	n.owner = map[sim.CoreID]string{}
	for p := 0; p < n.Partitions; p++ {
		id, err := n.addPartition(d, cfg, nodes[p%len(nodes)], p)
		if err != nil {
			return 0, err
		}
		n.Cores = append(n.Cores, id)
		if n.Standby {
			if id, err = n.addPartition(d, cfg, nodes[(p+1)%len(nodes)], p); err != nil {
				return 0, err
			}
			n.Standbys = append(n.Standbys, id)
		}
	}
	if _, err := netherite.NewClient(cfg, 0); err != nil {
		return 0, err
	}
	if _, err := netherite.NewLoadMonitor(cfg); err != nil {
		return 0, err
	}
	cn := d.AddNode("client", 1)
	n.Monitor = d.AddCore(cn, "monitor", func() port.Core {
		m, _ := netherite.NewLoadMonitor(cfg)
		return m
	})
	return d.AddCore(cn, "client", func() port.Core {
		c, _ := netherite.NewClient(cfg, 0)
		return c
	}), nil
}

func (n *Sim) addPartition(d *sim.Driver, cfg *netherite.Config, node sim.NodeID, p int) (sim.CoreID, error) {
	owner := n.ownerName(d, node, p)
	if _, err := netherite.NewPartition(cfg, p, owner); err != nil {
		return 0, err
	}
	id := d.AddCore(node, fmt.Sprintf("p%02d", p), func() port.Core {
		x, _ := netherite.NewPartition(cfg, p, owner)
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
