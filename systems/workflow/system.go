package workflow

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/workflow"
	"github.com/dflab/dflab/engine/workflow/asl"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/workloads/hello"
	"github.com/dflab/dflab/workloads/imagerec"
)

// Knob names.
const (
	KnobTransitionBucket = "quota.transitionBucket"
	KnobTransitionRefill = "quota.transitionRefill"
	KnobStartBucket      = "quota.startBucket"
	KnobStartRefill      = "quota.startRefill"
	KnobWaitPollMin      = "client.waitPollMin"
	KnobWaitPollMax      = "client.waitPollMax"
	KnobInboxPollMin     = "inboxPollMin"
	KnobInboxPollMax     = "inboxPollMax"
)

// ServiceTransition is the model set's entry (sim.ModelSet.ServiceMs) of
// the service's own time per state transition, which the simulator
// deployment waits (workflow.Config.TransitionLatency); dflab calibrate
// fits it to the workflow service's Hello3 latency.
const ServiceTransition = "workflow-transition"

// Hub names the service's storage in simulation.
const Hub = "hub"

// System is the workflow service's descriptor.
var System = &systems.System{
	Name:    "workflow",
	Summary: "a workflow service (Step Functions style): Amazon States Language, Standard-workflow semantics",
	Knobs: []systems.Knob{
		{Name: KnobTransitionBucket, Kind: systems.Int, Default: fmt.Sprint(workflow.DefaultTransitionBucket), Min: 1, Max: 1 << 30, Special: []int64{0},
			Doc: "StateTransition token bucket size (published default 5000; 0: no quota)"},
		{Name: KnobTransitionRefill, Kind: systems.Int, Default: fmt.Sprint(workflow.DefaultTransitionRefill), Min: 1, Max: 1 << 30,
			Doc: "StateTransition refill per second (published default 1500)"},
		{Name: KnobStartBucket, Kind: systems.Int, Default: fmt.Sprint(workflow.DefaultStartBucket), Min: 1, Max: 1 << 30, Special: []int64{0},
			Doc: "StartExecution token bucket size (published default 1300; 0: no quota)"},
		{Name: KnobStartRefill, Kind: systems.Int, Default: fmt.Sprint(workflow.DefaultStartRefill), Min: 1, Max: 1 << 30,
			Doc: "StartExecution refill per second (published default 300)"},
		{Name: KnobWaitPollMin, Kind: systems.Duration, Default: "10ms",
			Doc: "first gap of a waiting client's re-reads of an unfinished execution (grows by a quarter per read)"},
		{Name: KnobWaitPollMax, Kind: systems.Duration, Default: "1s", Doc: "cap of that gap"},
		{Name: KnobInboxPollMin, Kind: systems.Duration, Default: "5ms",
			Doc: "gap of the service's reads of the inbox of started executions after a read that found some (doubles per miss)"},
		{Name: KnobInboxPollMax, Kind: systems.Duration, Default: "50ms", Doc: "cap of that gap"},
	},
	Faults: systems.Faults{Ops: []string{"blob-*", "blob-put", "blob-get", "blob-list", "*"}},
	Draw: func(r *rng.Source) systems.Values {
		return systems.Values{KnobTransitionBucket: fmt.Sprint(20 + r.Intn(200)), KnobTransitionRefill: fmt.Sprint(10 + r.Intn(100))}
	},
	Planted: workflow.PlantedBugs,
	// The workloads of the paper's Fig. 11 it has state machines for.
	Workloads: []string{"hello3", "sequence", "imagerec"},
}

func init() { System.Sim, System.Real = newSim, newReal }

// Definitions parses the definitions shipped with the workloads, by
// orchestration name.
func Definitions() (map[string]*asl.Definition, error) {
	raw := hello.StateMachines()
	for n, b := range imagerec.StateMachines() {
		raw[n] = b
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string]*asl.Definition, len(raw))
	for _, n := range names {
		d, err := asl.Parse(raw[n])
		if err != nil {
			return nil, fmt.Errorf("workflow: state machine %s: %w", n, err)
		}
		out[n] = d
	}
	return out, nil
}

func configOf(v systems.Values, runner, hub string) (workflow.Config, error) {
	set, err := System.Parse(v, runner)
	if err != nil {
		return workflow.Config{}, err
	}
	defs, err := Definitions()
	if err != nil {
		return workflow.Config{}, err
	}
	cfg := workflow.Defaults(hub, defs)
	cfg.TransitionBucket, cfg.TransitionRefill = set.Int(KnobTransitionBucket), set.Int(KnobTransitionRefill)
	cfg.StartBucket, cfg.StartRefill = set.Int(KnobStartBucket), set.Int(KnobStartRefill)
	cfg.WaitPollMin, cfg.WaitPollMax = set.Duration(KnobWaitPollMin), set.Duration(KnobWaitPollMax)
	cfg.InboxPollMin, cfg.InboxPollMax = set.Duration(KnobInboxPollMin), set.Duration(KnobInboxPollMax)
	return cfg, cfg.Validate()
}

// Sim deploys the service core on the first node (the task invocations
// run there too: the run's nodes stand for the service's fleet) and the
// frontend core, which takes the client calls, on a node of its own.
type Sim struct {
	Cfg      workflow.Config
	Service  sim.CoreID
	Frontend sim.CoreID
	// lives are the service cores of every life (a restart makes a new
	// one), so that counters and charges add up over crashes.
	lives     []*workflow.Service
	frontends []*workflow.Frontend
}

func newSim(c systems.SimConfig) (systems.Deployment, error) {
	cfg, err := configOf(c.Knobs, systems.RunnerSim, Hub)
	if err != nil {
		return nil, err
	}
	cfg.Planted, cfg.Logf = c.Planted, c.Logf
	return &Sim{Cfg: cfg}, cfg.Validate()
}

// Name implements systems.Deployment.
func (e *Sim) Name() string { return "workflow" }

// StreamPartitions implements systems.Deployment: no stream.
func (e *Sim) StreamPartitions() int { return 0 }

// Deploy implements systems.Deployment.
func (e *Sim) Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error) {
	if len(nodes) == 0 {
		return 0, fmt.Errorf("workflow: no node to deploy on")
	}
	if _, err := workflow.New(e.Cfg, reg); err != nil {
		return 0, err
	}
	cfg := e.Cfg
	if ms := d.Models().ServiceMs[ServiceTransition]; ms > 0 {
		cfg.TransitionLatency = port.Time(ms * float64(port.Millisecond))
	}
	e.lives, e.frontends = nil, nil
	e.Service = d.AddCore(nodes[0], "workflow", func() port.Core {
		s, _ := workflow.New(cfg, reg)
		e.lives = append(e.lives, s)
		return s
	})
	e.Frontend = d.AddCore(d.AddNode("client", 1), "frontend", func() port.Core {
		f, _ := workflow.NewFrontend(cfg)
		e.frontends = append(e.frontends, f)
		return f
	})
	return e.Frontend, nil
}

// Counters implements systems.Counters: summed over the service's lives.
func (e *Sim) Counters(_ *sim.Driver, c map[string]int64) {
	for _, s := range e.lives {
		st := s.Stats()
		c["workflow.transitions"] += st.Transitions
		c["workflow.records"] += st.Records
		c["workflow.invocations"] += st.Invocations
		c["workflow.duplicates"] += st.Duplicates
		c["workflow.throttled"] += st.Throttled
		c["workflow.resumed"] += st.Resumed
	}
	for _, f := range e.frontends {
		c["workflow.starts-throttled"] += f.Throttled()
	}
}

// ChargeClass is the billing class of state transitions.
const ChargeClass = "workflow-transitions"

// Charges implements systems.Charges: state transitions at the Standard
// price ($0.025 per 1,000), counting those a crash made the service
// repeat.
func (e *Sim) Charges(*sim.Driver) []systems.Charge {
	var n int64
	for _, s := range e.lives {
		n += s.Stats().Transitions
	}
	return []systems.Charge{{Class: ChargeClass, Requests: n, Dollars: float64(n) * workflow.DollarsPerTransition}}
}

type real struct {
	cfg workflow.Config
	reg *durable.Registry
}

func newReal(c systems.RealConfig) (systems.RealDeployment, error) {
	if !slices.Contains([]string{"mem", "disk", "azure"}, c.Storage) {
		return nil, fmt.Errorf("storage %q: the workflow service records executions in blobs; allowed mem, disk, azure", c.Storage)
	}
	cfg, err := configOf(c.Knobs, systems.RunnerReal, c.Hub)
	if err != nil {
		return nil, err
	}
	cfg.Logf = c.Logf
	return &real{cfg: cfg, reg: c.Registry}, nil
}

func (r *real) StreamPartitions() int { return 0 }

func (r *real) Start(_ context.Context, d *host.Driver) (host.CoreID, error) {
	s, err := workflow.New(r.cfg, r.reg)
	if err != nil {
		return 0, err
	}
	f, err := workflow.NewFrontend(r.cfg)
	if err != nil {
		return 0, err
	}
	d.AddCore("workflow", func() port.Core { return s })
	return d.AddCore("frontend", func() port.Core { return f }), nil
}
