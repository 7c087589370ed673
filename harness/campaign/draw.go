package campaign

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	"github.com/dflab/dflab/workloads"
)

// Phases of every case, in virtual time: faults happen in [0, SafetyPhase);
// at SafetyPhase the heal phase restarts every crashed node, and every
// instance must be done HealBudget later. The budget covers the original
// engine's worst case: a control-queue message dequeued by a worker that
// crashed reappears after the 5-minute visibility timeout.
const (
	SafetyPhase = 4 * port.Second
	HealBudget  = 10 * 60 * port.Second
)

// Case is one seed's draw: the spec to run and its fault plan.
type Case struct {
	Seed uint64
	Spec spec.Spec // resolved; Spec.Faults holds Plan's text
	Plan *plan.Plan
	// Setup is the setup the case was drawn with (its registries run it).
	Setup Setup
	drawn systems.Values // the knobs the system's draw set
}

// Describe is a one-line summary of a case's configuration.
func (c Case) Describe() string {
	s := c.Spec
	var knobs []string
	for _, k := range c.drawn.Names() {
		knobs = append(knobs, k+"="+c.drawn[k])
	}
	store := ""
	if s.Backend.DiskLike {
		store = " disk-like"
	}
	return fmt.Sprintf("%s %s%s nodes=%d %s×%d faults=%d", s.Engine.Name, strings.Join(knobs, " "), store, s.Cluster.Nodes,
		s.Workload.Name, s.Load.Instances, c.Plan.Len())
}

// Setup is what, besides the seed, decides a seed's case and run: a
// repro command must give the same.
type Setup struct {
	// Engines are the systems a seed may draw (nil: every registered one
	// whose descriptor has a Draw).
	Engines []string
	// Planted switches on a planted bug in the systems that have it ("":
	// none); seeds that draw another system are skipped.
	Planted string
	// Systems and Workloads are the registries the campaign draws from
	// (nil: the built-in ones). A case draws every registered workload.
	Systems   *systems.Registry
	Workloads *workloads.Registry
	// Program names the program in repro commands (default "dflab"): a
	// researcher's own, when it registers systems or workloads.
	Program string
}

var (
	builtinSystems   = builtin.Systems()
	builtinWorkloads = workloads.Builtin()
)

func (su Setup) systems() *systems.Registry {
	if su.Systems != nil {
		return su.Systems
	}
	return builtinSystems
}

func (su Setup) workloads() *workloads.Registry {
	if su.Workloads != nil {
		return su.Workloads
	}
	return builtinWorkloads
}

// Check reports a system of the setup that runs none of its workloads,
// naming the workloads it runs.
func (su Setup) Check() error {
	for _, name := range su.engines() {
		sys, err := su.systems().Lookup(name)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(su.workloads().Names(), func(w string) bool { return sys.RunsWorkload(w) == nil }) {
			return fmt.Errorf("system %s runs none of the workloads %s: it runs %s",
				name, strings.Join(su.workloads().Names(), ", "), strings.Join(sys.Workloads, ", "))
		}
	}
	return nil
}

// engines are the systems the setup draws.
func (su Setup) engines() []string {
	if len(su.Engines) > 0 {
		return su.Engines
	}
	return su.drawable()
}

// drawable lists the registered systems with a Draw: the campaign's
// default (a system joins the campaign by giving its descriptor a Draw).
func (su Setup) drawable() []string {
	var out []string
	for _, s := range su.systems().All() {
		if s.Draw != nil {
			out = append(out, s.Name)
		}
	}
	return out
}

// Draw draws seed's case from the seed alone: a system among the setup's
// and its knobs (System.Draw), a cluster, a registered workload the system
// runs (System.Workloads) at small scale (Factory.Draw) and a fault plan on
// the system's fault targets.
func Draw(seed uint64, su Setup) (Case, error) {
	r := rng.New(seed).Fork("campaign")
	s := spec.Spec{Backend: spec.Backend{Kind: spec.BackendSim},
		Cluster: spec.Cluster{Nodes: 1 + r.Intn(3), Cores: 1 + r.Intn(2)},
		Load:    spec.Load{Kind: spec.LoadClosed, Instances: 2 + r.Intn(5)}}
	sys, err := su.drawSystem(r)
	if err != nil {
		return Case{}, fmt.Errorf("campaign: seed %d: %w", seed, err)
	}
	knobs := systems.Values{}
	if sys.Draw != nil {
		knobs = sys.Draw(r.Fork("engine"))
	}
	s.Engine = spec.Engine{Name: sys.Name, Knobs: knobs}
	var all []workloads.Factory
	for _, f := range su.workloads().All() {
		if sys.RunsWorkload(f.Name) == nil {
			all = append(all, f)
		}
	}
	if len(all) == 0 {
		return Case{}, fmt.Errorf("campaign: seed %d: %w", seed, sys.RunsWorkload(su.workloads().Names()[0]))
	}
	wd := all[r.Intn(len(all))]
	s.Workload.Name = wd.Name
	if wd.Draw != nil {
		s.Workload.Params = []byte(wd.Draw(r.Fork("params")))
	}
	// Plan partitions: Netherite's partitions, the original engine's
	// control queues (whose leases lease-loss breaks).
	partitions := 0
	if sys.Faults.Partitions != nil {
		if partitions, err = sys.Faults.Partitions(knobs); err != nil {
			return Case{}, fmt.Errorf("campaign: seed %d: %w", seed, err)
		}
	}
	diskLike := drawDiskLike(r, sys, knobs)
	s.Backend.DiskLike = diskLike
	p := drawPlan(r.Fork("plan"), sys.Faults, s.Cluster.Nodes, partitions)
	if diskLike {
		addLoseUnsynced(r.Fork("lose-unsynced"), p)
	}
	s.Faults = p.String()
	rs, err := s.ResolveIn(spec.Catalog{Systems: su.systems(), Workloads: su.workloads()})
	if err != nil {
		return Case{}, fmt.Errorf("campaign: seed %d: %w", seed, err)
	}
	return Case{Seed: seed, Spec: rs, Plan: p, Setup: su, drawn: knobs}, nil
}

// drawSystem draws a seed's system. First among the systems of the
// earliest join round present (System.Join): those that run every
// workload (the Durable Functions engines) are drawn from r as they were
// before any other system existed, unless the substream "alternative"
// picks one of the systems that run some workloads only (the workflow
// service, the queue chain), each as likely as an engine. So adding such a
// system changes only the seeds it takes: a seed of the built-in setup
// that drew an engine before the alternatives joined still draws the same
// case (a seed that drew the workflow service may now draw another
// alternative). Then each system of a later round (the sql engine), in
// list order, takes the seed over with probability 1/(the systems before
// it + 1) from a stream of its own: the draw stays uniform over systems,
// and a seed keeps the case it drew before that system joined unless the
// system takes it.
func (su Setup) drawSystem(r *rng.Source) (*systems.System, error) {
	var all []*systems.System
	first := -1
	for _, name := range su.engines() {
		sys, err := su.systems().Lookup(name)
		if err != nil {
			return nil, err
		}
		all = append(all, sys)
		if first < 0 || sys.Join < first {
			first = sys.Join
		}
	}
	var every, some, late []*systems.System
	for _, sys := range all {
		switch {
		case sys.Join != first:
			late = append(late, sys)
		case sys.RunsEveryWorkload():
			every = append(every, sys)
		default:
			some = append(some, sys)
		}
	}
	pick := func() *systems.System {
		if len(some) > 0 {
			alt := r.Fork("alternative")
			if len(every) == 0 || alt.Intn(len(every)+len(some)) < len(some) {
				return some[alt.Intn(len(some))]
			}
		}
		return every[r.Intn(len(every))]
	}()
	before := len(every) + len(some)
	for i, sys := range late {
		if r.Fork("join/"+sys.Name).Intn(before+i+1) == 0 {
			pick = sys
		}
	}
	return pick, nil
}

// drawDiskLike draws, for a system that survives lose-unsynced on a
// disk-like store (Faults.DiskLike), whether the seed's store is one (one
// seed in three, from a substream of its own, so that every other draw
// of the seed stays as it was); it then sets the knobs the system needs
// there.
func drawDiskLike(r *rng.Source, sys *systems.System, knobs systems.Values) bool {
	if sys.Faults.DiskLike == nil || !slices.Contains(sys.Faults.Kinds, plan.LoseUnsynced) || r.Fork("disk-like").Intn(3) != 0 {
		return false
	}
	for k, v := range sys.Faults.DiskLike {
		knobs[k] = v
	}
	return true
}

// addLoseUnsynced adds "lose-unsynced at crash" to three in four plans on
// a disk-like store that crash a node (the others crash the process
// only: what the node wrote survives, synced or not).
func addLoseUnsynced(r *rng.Source, p *plan.Plan) {
	if p.Len() == 0 || !slices.ContainsFunc(p.Faults, func(f plan.Fault) bool { return f.Kind.Crashes() }) || r.Intn(4) == 0 {
		return
	}
	p.Faults = append(p.Faults, plan.Fault{Kind: plan.LoseUnsynced})
}

// drawPlan draws 0..5 faults inside the safety phase. Not drawn here:
// lose-unsynced, which needs a disk-like store (addLoseUnsynced; the
// default simulated page blobs acknowledge durably, as Azure's, so
// nothing unsynced could be lost). Small workloads
// finish in tens to hundreds of milliseconds, so each plan first draws a
// horizon (50ms .. the whole phase) and puts its faults before it.
func drawPlan(r *rng.Source, targets systems.Faults, nodes, partitions int) *plan.Plan {
	p := &plan.Plan{}
	d := &faultDraw{r: r, targets: targets, nodes: nodes, partitions: partitions, down: map[string]bool{}, forever: map[string]bool{},
		horizon: []port.Time{50 * port.Millisecond, 200 * port.Millisecond, port.Second, SafetyPhase}[r.Intn(4)]}
	n := r.Intn(6)
	for i := 0; i < n; i++ {
		f := d.fault()
		d.crashed = d.crashed || f[0].Kind.Crashes()
		p.Faults = append(p.Faults, f...)
	}
	return p
}

// faultKinds are the kinds the campaign draws, with weights (repeats).
// Crash stands for crash-forever too (faultDraw.crash).
var faultKinds = []plan.Kind{plan.Crash, plan.Crash, plan.StorageError, plan.StorageErrorAfter,
	plan.Latency, plan.Throttle, plan.DuplicateStream, plan.DuplicateStream, plan.DelayStream, plan.TornTail,
	plan.Move, plan.LeaseLoss}

// faultDraw draws the faults of one plan.
type faultDraw struct {
	r                 *rng.Source
	targets           systems.Faults
	nodes, partitions int
	horizon           port.Time
	crashed           bool // a crash was drawn (torn tails need one)
	// down lists the nodes crashed so far; forever those crashed for good
	// (at most nodes-1 of them: one node stays to take their work over).
	down, forever map[string]bool
	crashes       int
}

// survives reports whether the system survives faults of kind k (and has
// the partitions they name).
func (d *faultDraw) survives(k plan.Kind) bool {
	if (k == plan.Move || k == plan.LeaseLoss || k == plan.TornTail) && d.partitions < 1 {
		return false
	}
	return slices.Contains(d.targets.Kinds, k)
}

// crash draws a crash: restarted within the safety phase (2 in 3), else
// down until the heal phase or, for half of those where the system
// survives it and another node is left up, forever (crash without
// restart). The forever draw comes from a substream of its own, so that
// the draws around it stay as they were before it existed; a crash of a
// node already down forever goes to the next node instead.
func (d *faultDraw) crash() []plan.Fault {
	r := d.r
	k := r.Intn(d.nodes)
	for i := 0; d.forever[fmt.Sprintf("node%d", k)] && i < d.nodes; i++ {
		k = (k + 1) % d.nodes
	}
	node := fmt.Sprintf("node%d", k)
	at := d.before(d.horizon)
	d.crashes++
	if r.Intn(3) > 0 {
		d.down[node] = true
		restart := at + port.Millisecond + d.before(min(d.horizon, SafetyPhase-at-port.Millisecond))
		return []plan.Fault{{Kind: plan.Crash, At: at, Node: node}, {Kind: plan.Restart, At: restart, Node: node}}
	}
	kind := plan.Crash
	forever := r.Fork(fmt.Sprintf("forever%d", d.crashes)).Intn(2) == 0
	if forever && d.survives(plan.CrashForever) && !d.down[node] && len(d.forever) < d.nodes-1 {
		kind, d.forever[node] = plan.CrashForever, true
	}
	d.down[node] = true
	return []plan.Fault{{Kind: kind, At: at, Node: node}}
}

// before draws a time in [0, t) in whole milliseconds (0 if t < 1ms).
func (d *faultDraw) before(t port.Time) port.Time {
	if t < port.Millisecond {
		return 0
	}
	return port.Time(d.r.Intn(int(t/port.Millisecond))) * port.Millisecond
}

// window draws [from, to) with from before the horizon and to at most the
// end of the safety phase.
func (d *faultDraw) window() plan.Window {
	from := d.before(d.horizon)
	return plan.Window{From: from, To: from + port.Millisecond + d.before(min(d.horizon, SafetyPhase-from-port.Millisecond))}
}

func (d *faultDraw) fault() []plan.Fault {
	r := d.r
	probs := []float64{0.01, 0.05, 0.2, 0.5}
	k := faultKinds[r.Intn(len(faultKinds))]
	if (k == plan.DuplicateStream || k == plan.DelayStream || k == plan.TornTail || k == plan.Move) && !d.survives(k) {
		k = plan.LeaseLoss // e.g. the original engine has no stream, no commit log, and balances its queues itself
	}
	if k == plan.LeaseLoss && !d.survives(k) || k == plan.TornTail && !d.crashed {
		k = plan.Crash
	}
	globs := d.targets.Ops
	if len(globs) == 0 {
		globs = []string{"*"}
	}
	switch k {
	case plan.Crash:
		return d.crash()
	case plan.StorageError, plan.StorageErrorAfter, plan.Throttle:
		return []plan.Fault{{Kind: k, P: probs[r.Intn(len(probs))], Ops: globs[r.Intn(len(globs))], Window: d.window()}}
	case plan.Latency:
		return []plan.Fault{{Kind: k, Factor: []float64{2, 5, 20}[r.Intn(3)], P: 1, Ops: globs[r.Intn(len(globs))], Window: d.window()}}
	case plan.DuplicateStream:
		return []plan.Fault{{Kind: k, P: probs[1+r.Intn(len(probs)-1)], Window: d.window()}}
	case plan.Move:
		return []plan.Fault{{Kind: k, At: d.before(d.horizon), Partition: r.Intn(d.partitions), Node: fmt.Sprintf("node%d", r.Intn(d.nodes))}}
	case plan.LeaseLoss:
		return []plan.Fault{{Kind: k, At: d.before(d.horizon), Partition: r.Intn(d.partitions)}}
	case plan.DelayStream:
		return []plan.Fault{{Kind: k, P: probs[r.Intn(len(probs))], Delay: port.Millisecond + d.before(200*port.Millisecond), Window: d.window()}}
	}
	return []plan.Fault{{Kind: plan.TornTail, Partition: r.Intn(d.partitions)}}
}
