package systems

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

// System describes one system. Name and Sim are required; a system
// without Real runs on the simulator only.
type System struct {
	// Name is the system's one name (spec engine.name, --engine, golden
	// scripts' "engine" line, campaign setups).
	Name string
	// Summary is one line for listings.
	Summary string
	// Knobs are the system's knobs, in listing order.
	Knobs []Knob
	// Validate, if set, checks knob values together, or for one runner
	// (e.g. at most 32 Netherite partitions on real backends); it returns
	// a *KnobError.
	Validate func(v Set, runner string) error
	// Sim builds a deployment on the simulator from knob values.
	Sim func(SimConfig) (Deployment, error)
	// Real, if set, builds a deployment on the real driver.
	Real func(RealConfig) (RealDeployment, error)
	// Faults says which fault-plan targets the system has.
	Faults Faults
	// Draw, if set, draws a configuration for the fault campaign: knob
	// values at small scale (missing: the default).
	Draw func(r *rng.Source) Values
	// Join is the round in which the system joined the campaign's draws
	// (0: the first). A seed draws among the systems of the earliest round
	// present as it always did; each later one takes the seed over with
	// the odds that make the draw uniform, from a stream of its own, so
	// that a system joining changes only the seeds it takes.
	Join int
	// Settle is how long a run under faults goes on after its instances
	// are done, before the oracle reads entity states (0: not at all). The
	// original engine sends a step's messages before it writes the state
	// the step produced, so a step retried after its message's visibility
	// timeout may still owe its own state when the instances it fed are
	// done.
	Settle port.Time
	// Planted lists the planted bugs the system can switch on (for the
	// fault campaign's tests that prove its checkers can fail).
	Planted []string
	// Workloads, if set, are the only workloads the system runs (the
	// workflow service has state machines for a few); nil: every workload.
	// Specs, the CLI, the bench, the figures and the campaign's draws
	// honour it (RunsWorkload).
	Workloads []string
}

// RunsWorkload returns nil if the system runs the workload named, else an
// error naming the workloads it runs.
func (s *System) RunsWorkload(name string) error {
	if s.Workloads == nil || slices.Contains(s.Workloads, name) {
		return nil
	}
	return fmt.Errorf("system %s does not run workload %q: it runs %s", s.Name, name, strings.Join(s.Workloads, ", "))
}

// RunsEveryWorkload reports whether the system runs every workload (the
// Durable Functions engines do).
func (s *System) RunsEveryWorkload() bool { return s.Workloads == nil }

// SimConfig is what a simulator deployment is built from.
type SimConfig struct {
	// Knobs are the knob values (missing: the knob's default).
	Knobs Values
	// Seed is the run's seed (some systems seed their own jitter with it).
	Seed uint64
	// Planted is a planted bug of System.Planted ("": none).
	Planted string
	// Logf receives the system's notable events (nil: dropped).
	Logf func(format string, args ...any)
}

// Deployment places a system's cores on a simulated cluster. The runner
// owns the kernel, the driver, the mem store and the nodes; the
// deployment only deploys onto them.
type Deployment interface {
	// Name names the system and its configuration in test names.
	Name() string
	// StreamPartitions is how many stream partitions the system needs in
	// the mem store (0: it uses no stream).
	StreamPartitions() int
	// Deploy places the cores on nodes (it may add nodes of its own, e.g.
	// for clients) and returns the core that takes client calls:
	// port.ClientCall{Req: durable.ClientRequest}, answered with
	// port.Response{Resp: durable.ClientResponse}.
	Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (client sim.CoreID, err error)
}

// FaultGlue is implemented by deployments that carry out a fault plan's
// actions on the simulator beyond crashes and restarts: call SimTarget
// after Deploy, with the run's mem store (unwrapped: the glue's own writes
// are not system traffic) and a random source for its choices.
type FaultGlue interface {
	SimTarget(d *sim.Driver, store *mem.Store, r *rng.Source) *inject.SimTarget
}

// Counters is implemented by deployments that report end-of-run counters
// (duplicates dropped, restarts...) of their live cores, by name.
type Counters interface {
	Counters(d *sim.Driver, c map[string]int64)
}

// DurableStates is implemented by deployments whose cores can report the
// state they would recover from storage (for the replay-equivalence
// checker): by partition, the state of the core that runs it (the one
// holding its lease).
type DurableStates interface {
	DurableStates(d *sim.Driver) (map[int][]byte, error)
}

// Takeovers is implemented by deployments whose other nodes take over the
// work of a node that crashed and did not come back (Netherite's standbys
// acquire the expired partition leases): what became of what the node ran
// at a crash at time at.
type Takeovers interface {
	TakeoverOf(d *sim.Driver, node sim.NodeID, at port.Time) Takeover
}

// Takeover is how the units of work (partitions) a node ran at a crash
// ended up: for each, the node that runs it now and since when (-1: it
// does not run now, or runs in a life that started before the crash).
type Takeover struct {
	Partitions []int
	Nodes      []sim.NodeID
	Since      []port.Time
}

// Done reports whether every partition runs on a node other than node
// now, and from when the last one does.
func (t Takeover) Done(node sim.NodeID) (port.Time, bool) {
	var last port.Time
	for i := range t.Partitions {
		if t.Nodes[i] == node || t.Since[i] < 0 {
			return 0, false
		}
		last = max(last, t.Since[i])
	}
	return last, len(t.Partitions) > 0
}

// SendsBeforePersist is implemented by deployments that, as configured,
// send before they persist by design (Netherite's global speculation): the
// persist-before-send checker does not apply to them.
type SendsBeforePersist interface {
	SendsBeforePersist() bool
}

// Faults are a system's fault-plan targets.
type Faults struct {
	// Partitions is how many plan partitions (pP) a configuration has
	// (Netherite's partitions, the original engine's control queues);
	// nil: none.
	Partitions func(Values) (int, error)
	// Ops are the storage op globs a storage fault may take: the op kinds
	// the system issues.
	Ops []string
	// Kinds are the plan fault kinds the system survives besides crash,
	// restart and the storage faults (plan.Move, plan.TornTail, ...).
	Kinds []plan.Kind
	// DiskLike, if set, are the knob values with which the system runs on
	// a disk-like simulated store (spec backend diskLike: acknowledged
	// page writes and append blocks are volatile until synced) and
	// survives plan.LoseUnsynced there; nil: it is not drawn on one.
	DiskLike Values
}

// RealConfig is what a real deployment is built from.
type RealConfig struct {
	Registry *durable.Registry
	// Hub names the task hub.
	Hub string
	// Knobs are the knob values (missing: the knob's default).
	Knobs Values
	// Workers is the number of workers the system runs in this process
	// (systems without workers ignore it; 0: 1).
	Workers int
	// Storage names the storage ("mem", "disk", "azure"): a system may
	// refuse one it cannot run on.
	Storage string
	// Logf receives the system's notable events (nil: dropped).
	Logf func(format string, args ...any)
	// ClientOnly starts the client core only: the system's other cores run
	// in other processes sharing the storage (a cluster's load generator).
	ClientOnly bool
}

// RealDeployment is a system configured for the real driver.
type RealDeployment interface {
	// StreamPartitions is how many stream partitions the system needs (0:
	// none).
	StreamPartitions() int
	// Start adds the system's cores to d and returns the client core.
	Start(ctx context.Context, d *host.Driver) (client host.CoreID, err error)
}

// RealHealth is implemented by real deployments whose cores report
// port.Health: Units names the units they report on (Netherite's p00...,
// the original engine's control-00...), for a caller's health listing, and
// Failed is told (on the reporting core's goroutine) of a unit that failed
// for good, so that the deployment can fail the calls waiting for it
// (Netherite tells its client core, netherite.PartitionDown).
type RealHealth interface {
	Units() []string
	Failed(d *host.Driver, h port.Health)
}

// RealNodes is implemented by real deployments whose cores a fault plan
// may crash and restart by node (host.Driver.Crash, Restart): NodeCores
// names the cores node k of nodes hosts (node names node0, node1... as
// in the simulator).
type RealNodes interface {
	NodeCores(nodes int) [][]string
}

// RealMoves is implemented by real deployments whose partitions move
// gracefully (flush, checkpoint, release the lease) on a control call:
// MoveCall names partition p's core and the call that stops it (ok false:
// no such partition). The caller then discards the stopped core and starts
// a new one, which recovers the partition (host.Driver.Crash, Restart).
type RealMoves interface {
	MoveCall(p int) (core string, stop any, ok bool)
}

// Check validates a descriptor: the fields every runner relies on.
func (s *System) Check() error {
	if s == nil {
		return fmt.Errorf("systems: nil System")
	}
	if !validName(s.Name) {
		return fmt.Errorf("systems: System.Name = %q: allowed 1..40 of [a-z0-9-], starting with a letter", s.Name)
	}
	if s.Sim == nil {
		return fmt.Errorf("systems: system %s: System.Sim is nil", s.Name)
	}
	seen := map[string]bool{}
	for _, k := range s.Knobs {
		if err := k.check(); err != nil {
			return fmt.Errorf("systems: system %s: %w", s.Name, err)
		}
		if seen[k.Name] {
			return fmt.Errorf("systems: system %s: knob %s defined twice", s.Name, k.Name)
		}
		seen[k.Name] = true
	}
	return nil
}

func validName(s string) bool {
	if len(s) < 1 || len(s) > 40 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ControlCalls is the first call id of the calls a system's fault glue
// sends to its cores itself (a partition's Stop for a move). Their
// responses are not client responses: runners ignore ids from here on.
const ControlCalls = port.CallID(1) << 40

// NodeNames maps the names of nodes (as given to sim.Driver.AddNode) to
// their ids, for inject.SimTarget.Nodes.
func NodeNames(d *sim.Driver, nodes []sim.NodeID) map[string]sim.NodeID {
	m := make(map[string]sim.NodeID, len(nodes))
	for _, n := range nodes {
		m[d.NodeName(n)] = n
	}
	return m
}
