package campaign

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim/rng"
)

// Phases of every case, in virtual time: faults happen in [0, SafetyPhase);
// at SafetyPhase the heal phase restarts every crashed node, and every
// instance must be done HealBudget later. The budget covers the original
// engine's worst case: a control-queue message dequeued by a worker that
// crashed reappears after the 5-minute visibility timeout.
const (
	SafetyPhase = 4 * port.Second
	HealBudget  = 10 * 60 * port.Second
	// OriginalSettle is how long an original-engine case runs on after its
	// instances are done, before the oracle reads entity states (see
	// simrun.Options.Settle): past the 5-minute visibility timeout of a
	// message whose step crashed.
	OriginalSettle = 6 * 60 * port.Second
)

// Case is one seed's draw: the spec to run and its fault plan.
type Case struct {
	Seed uint64
	Spec spec.Spec // resolved; Spec.Faults holds Plan's text
	Plan *plan.Plan
}

// Describe is a one-line summary of a case's configuration.
func (c Case) Describe() string {
	s := c.Spec
	var knobs string
	if n := s.Engine.Netherite; n != nil {
		knobs = fmt.Sprintf("P=%d spec=%s ckpt=%d", n.Partitions, n.Speculation, n.Checkpoint.Events)
	}
	if o := s.Engine.Original; o != nil {
		knobs = fmt.Sprintf("C=%d ext=%t", o.ControlQueues, o.ExtendedSessions)
	}
	return fmt.Sprintf("%s %s nodes=%d %s×%d faults=%d", s.Engine.Name, knobs, s.Cluster.Nodes,
		s.Workload.Name, s.Load.Instances, c.Plan.Len())
}

// workloadDraw is one workload at small scale: its name and parameters.
type workloadDraw struct {
	name   string
	params func(r *rng.Source) string
}

var workloadDraws = []workloadDraw{
	{"hello3", nil},
	{"hello5", nil},
	{"sequence", func(r *rng.Source) string { return fmt.Sprintf(`{"length":%d}`, 2+r.Intn(5)) }},
	{"bank", func(r *rng.Source) string { return fmt.Sprintf(`{"pairs":%d}`, 1+r.Intn(3)) }},
	{"wordcount", func(r *rng.Source) string {
		return fmt.Sprintf(`{"mappers":%d,"reducers":%d,"bookWords":%d}`, 1+r.Intn(3), 1+r.Intn(3), 20+r.Intn(181))
	}},
	{"collision", func(r *rng.Source) string { return fmt.Sprintf(`{"blocks":%d}`, 2+r.Intn(4)) }},
	{"imagerec", nil},
}

// Setup is what, besides the seed, decides a seed's case and run: a
// repro command must give the same.
type Setup struct {
	// Engines are the engines a seed may draw (nil: both).
	Engines []string
	// Planted switches on a planted bug in the engines that have it ("":
	// none); seeds that draw another engine are skipped.
	Planted string
}

// Draw draws seed's case from the seed alone: an engine among the setup's
// and its knobs, a cluster, a workload at small scale and a fault plan.
func Draw(seed uint64, su Setup) (Case, error) {
	engines := su.Engines
	if len(engines) == 0 {
		engines = spec.Engines
	}
	r := rng.New(seed).Fork("campaign")
	s := spec.Spec{Backend: spec.Backend{Kind: spec.BackendSim},
		Cluster: spec.Cluster{Nodes: 1 + r.Intn(3), Cores: 1 + r.Intn(2)},
		Load:    spec.Load{Kind: spec.LoadClosed, Instances: 2 + r.Intn(5)}}
	s.Engine = drawEngine(r.Fork("engine"), engines[r.Intn(len(engines))])
	wd := workloadDraws[r.Intn(len(workloadDraws))]
	s.Workload.Name = wd.name
	if wd.params != nil {
		s.Workload.Params = []byte(wd.params(r.Fork("params")))
	}
	// Plan partitions: Netherite's partitions, the original engine's
	// control queues (whose leases lease-loss breaks).
	partitions := 0
	if s.Engine.Netherite != nil {
		partitions = s.Engine.Netherite.Partitions
	}
	if s.Engine.Original != nil {
		partitions = s.Engine.Original.ControlQueues
	}
	p := drawPlan(r.Fork("plan"), s.Engine.Name, s.Cluster.Nodes, partitions)
	s.Faults = p.String()
	rs, err := s.Resolve()
	if err != nil {
		return Case{}, fmt.Errorf("campaign: seed %d: %w", seed, err)
	}
	return Case{Seed: seed, Spec: rs, Plan: p}, nil
}

func drawEngine(r *rng.Source, name string) spec.Engine {
	e := spec.Engine{Name: name}
	switch name {
	case spec.EngineNetherite:
		events := []int{-1, 3, 10, 50, 0}[r.Intn(5)]
		e.Netherite = &spec.NetheriteKnobs{Partitions: 1 + r.Intn(6),
			Speculation: []string{"none", "local", "global"}[r.Intn(3)],
			Checkpoint:  spec.Checkpoint{Events: events, LogBytes: []int64{0, 4 << 10, 64 << 10}[r.Intn(3)]}}
	case spec.EngineOriginal:
		e.Original = &spec.OriginalKnobs{ControlQueues: 1 + r.Intn(6), ExtendedSessions: r.Intn(3) == 0}
	}
	return e
}

// Op globs a storage fault may take, by engine: the op kinds each engine
// issues.
var opGlobs = map[string][]string{
	spec.EngineNetherite: {"page-*", "page-write", "blob-*", "lease-*", "stream-*", "stream-append", "stream-read", "*"},
	spec.EngineOriginal:  {"queue-*", "queue-dequeue", "queue-enqueue", "queue-delete", "table-*", "table-batch", "table-query", "blob-*", "lease-*", "*"},
}

// drawPlan draws 0..5 faults inside the safety phase. Not drawn:
// lose-unsynced, as the simulated page blobs acknowledge durably (as
// Azure's) and Netherite never syncs, so nothing unsynced could be lost. Small workloads
// finish in tens to hundreds of milliseconds, so each plan first draws a
// horizon (50ms .. the whole phase) and puts its faults before it.
func drawPlan(r *rng.Source, engine string, nodes, partitions int) *plan.Plan {
	p := &plan.Plan{}
	d := &faultDraw{r: r, engine: engine, nodes: nodes, partitions: partitions,
		horizon: []port.Time{50 * port.Millisecond, 200 * port.Millisecond, port.Second, SafetyPhase}[r.Intn(4)]}
	n := r.Intn(6)
	for i := 0; i < n; i++ {
		f := d.fault()
		d.crashed = d.crashed || f[0].Kind == plan.Crash
		p.Faults = append(p.Faults, f...)
	}
	return p
}

// faultKinds are the kinds the campaign draws, with weights (repeats).
var faultKinds = []plan.Kind{plan.Crash, plan.Crash, plan.StorageError, plan.StorageErrorAfter,
	plan.Latency, plan.Throttle, plan.DuplicateStream, plan.DuplicateStream, plan.DelayStream, plan.TornTail,
	plan.Move, plan.LeaseLoss}

// faultDraw draws the faults of one plan.
type faultDraw struct {
	r                 *rng.Source
	engine            string
	nodes, partitions int
	horizon           port.Time
	crashed           bool // a crash was drawn (torn tails need one)
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
	netherite := d.engine == spec.EngineNetherite
	if (k == plan.DuplicateStream || k == plan.DelayStream || k == plan.TornTail || k == plan.Move) && !netherite {
		k = plan.LeaseLoss // the original engine has no stream, no commit log, and balances its queues itself
	}
	if k == plan.TornTail && !d.crashed {
		k = plan.Crash
	}
	globs := opGlobs[d.engine]
	switch k {
	case plan.Crash:
		node := fmt.Sprintf("node%d", r.Intn(d.nodes))
		at := d.before(d.horizon)
		out := []plan.Fault{{Kind: plan.Crash, At: at, Node: node}}
		if r.Intn(3) > 0 { // else it stays down until the heal phase
			restart := at + port.Millisecond + d.before(min(d.horizon, SafetyPhase-at-port.Millisecond))
			out = append(out, plan.Fault{Kind: plan.Restart, At: restart, Node: node})
		}
		return out
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
