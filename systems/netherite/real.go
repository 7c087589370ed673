package netherite

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/systems"
)

// real is Netherite configured for the real driver: every partition, the
// load monitor and one client in this process.
type real struct {
	cfg        *netherite.Config
	client     host.CoreID
	clientOnly bool
}

func newReal(c systems.RealConfig) (systems.RealDeployment, error) {
	cfg, err := RealCoreConfig(c)
	if err != nil {
		return nil, err
	}
	return &real{cfg: cfg, clientOnly: c.ClientOnly}, nil
}

// RealCoreConfig is the engine configuration of a real deployment (one
// client), for a process that places partition cores itself (a cluster
// worker, harness/cluster).
func RealCoreConfig(c systems.RealConfig) (*netherite.Config, error) {
	set, err := System.Parse(c.Knobs, systems.RunnerReal)
	if err != nil {
		return nil, err
	}
	knobs, err := knobsOf(set, "")
	if err != nil {
		return nil, err
	}
	cfg := &netherite.Config{Hub: c.Hub, Partitions: int(set.Int(KnobPartitions)), Clients: 1, Registry: c.Registry, Knobs: knobs, Logf: c.Logf}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (r *real) StreamPartitions() int { return r.cfg.StreamPartitions() }

func (r *real) Start(_ context.Context, d *host.Driver) (host.CoreID, error) {
	if r.clientOnly {
		return r.addClient(d)
	}
	for p := 0; p < r.cfg.Partitions; p++ {
		if _, err := netherite.NewPartition(r.cfg, p, "host"); err != nil {
			return 0, err
		}
		// Every life of the core (a restart after host.Driver.Crash) is a
		// new partition that recovers from storage.
		d.AddCore(PartitionCore(p), func() port.Core {
			part, _ := netherite.NewPartition(r.cfg, p, "host") // checked above
			return part
		})
	}
	monitor, err := netherite.NewLoadMonitor(r.cfg)
	if err != nil {
		return 0, err
	}
	d.AddCore("monitor", func() port.Core { return monitor })
	return r.addClient(d)
}

func (r *real) addClient(d *host.Driver) (host.CoreID, error) {
	client, err := netherite.NewClient(r.cfg, 0)
	if err != nil {
		return 0, err
	}
	r.client = d.AddCore("client", func() port.Core { return client })
	return r.client, nil
}

// Units implements systems.RealHealth: the partitions.
func (r *real) Units() []string {
	units := make([]string, r.cfg.Partitions)
	for p := range units {
		units[p] = PartitionCore(p)
	}
	return units
}

// PartitionCore names partition p's core (and health unit): p00, p01...
func PartitionCore(p int) string { return fmt.Sprintf("p%02d", p) }

// NodeCores implements systems.RealNodes: partition p on node p mod nodes,
// as the simulator places it.
func (r *real) NodeCores(nodes int) [][]string {
	out := make([][]string, max(nodes, 1))
	for p := 0; p < r.cfg.Partitions; p++ {
		out[p%len(out)] = append(out[p%len(out)], PartitionCore(p))
	}
	return out
}

// Failed implements systems.RealHealth: the client core fails the calls
// for the partition's instances (a control input it does not answer).
func (r *real) Failed(d *host.Driver, h port.Health) {
	if down, ok := partitionDown(h); ok {
		d.Call(r.client, port.ClientCall{Req: down})
	}
}

// partitionDown is what the client core is told of a partition's health
// report, if it tells that the partition failed for good; both drivers'
// deployments tell it so.
func partitionDown(h port.Health) (netherite.PartitionDown, bool) {
	var p int
	if _, err := fmt.Sscanf(h.Unit, "p%d", &p); err != nil || h.State != port.HealthFailed {
		return netherite.PartitionDown{}, false
	}
	return netherite.PartitionDown{Partition: p, Reason: h.Reason}, true
}

// MoveCall implements systems.RealMoves: the partition's graceful stop.
func (r *real) MoveCall(p int) (string, any, bool) {
	if p < 0 || p >= r.cfg.Partitions {
		return "", nil, false
	}
	return PartitionCore(p), netherite.Stop{}, true
}

var (
	_ systems.RealMoves  = (*real)(nil)
	_ systems.RealHealth = (*real)(nil)
	_ systems.RealNodes  = (*real)(nil)
)
