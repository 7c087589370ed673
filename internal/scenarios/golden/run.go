package golden

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

// Outcome is what a script's run observed: the summary compared with the
// .golden file, and the expectations it broke.
type Outcome struct {
	Summary  string
	Failures []string
}

// run is one script's run in progress.
type run struct {
	s        *Script
	dep      deployment
	sc       scenarios.Scenario
	tally    *scenarios.Tally
	logs     []string
	events   []string // triggered crashes, as they fired
	counters map[string]int64
	inj      *inject.Injector
	// lastWrite is where the last acknowledged page write to each page
	// blob started (damage last+N).
	lastWrite map[string]int64
}

// Run runs a script on the simulator. It fails only when the script cannot
// be set up; broken expectations are Outcome.Failures.
func Run(s *Script) (*Outcome, error) {
	r := &run{s: s, counters: map[string]int64{"checkpoints-written": 0, "triggered-crashes": 0, "triggered-lease-losses": 0, "log-wraps": 0},
		lastWrite: map[string]int64{}}
	if len(s.Damages) > 0 {
		r.counters["damages"] = 0
	}
	dep, err := newDeployment(s, func(format string, args ...any) { r.logs = append(r.logs, fmt.Sprintf(format, args...)) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	r.dep = dep
	if s.Scenario == "tally" {
		r.sc, r.tally = scenarios.NewTally(s.N, s.Spread)
	} else {
		r.sc = scenarios.Bank(s.N)
	}
	r.sc.Deadline = s.Deadline
	root := rng.New(s.Seed)
	var clock func() port.Time // the kernel's, once scenarios.Run made it
	now := func() port.Time {
		if clock == nil {
			return 0
		}
		return clock()
	}
	if r.inj, err = inject.New(inject.Config{Plan: s.Plan, Clock: now, Rand: root.Fork("faults")}); err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	var schedErr error
	r.sc.Faults = func(d *sim.Driver, _ []sim.NodeID, store *mem.Store) {
		t := &recorder{SimTarget: dep.SimTarget(d, store, root.Fork("glue")), r: r}
		if schedErr = r.inj.Schedule(inject.SimScheduler(d.Kernel()), t); schedErr == nil {
			schedErr = r.arm(d, t)
		}
		r.scheduleDamages(d, store)
	}
	opts := scenarios.Options{Seed: s.Seed, Nodes: s.Nodes, CoresPerNode: s.Cores,
		Inject: func(k *sim.Kernel) (port.Middleware, func(string, port.Time) port.Time) {
			clock = k.Now
			return r.inj.Middleware, r.inj.Latency
		}}
	res, err := scenarios.Run(dep, r.sc, opts)
	if err == nil {
		err = schedErr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	return r.outcome(res), nil
}

// arm installs the completion hooks: the triggered crashes, and a count of
// checkpoint writes.
func (r *run) arm(d *sim.Driver, t *recorder) error {
	counts := make([]int, len(r.s.Triggers))
	ends := map[string]int64{} // by page blob: where its last write ended
	for _, tr := range r.s.Triggers {
		if tr.LeaseLoss {
			if t.OnLeaseLoss == nil || tr.Partition >= t.Partitions {
				return fmt.Errorf("line %d: %s: this engine has no lease p%d", tr.Line, tr, tr.Partition)
			}
			continue
		}
		if _, ok := t.Nodes[tr.Node]; !ok {
			return fmt.Errorf("line %d: node %q: allowed: the nodes of the run (node0..node%d)", tr.Line, tr.Node, r.s.Nodes-1)
		}
	}
	d.OnCompletion(func(now port.Time, core sim.CoreID, op port.Op, err error) {
		if err != nil {
			return
		}
		target := op.Target()
		if op.Kind() == "blob-put" && strings.HasSuffix(target, "/checkpoint") {
			r.counters["checkpoints-written"]++
		}
		if w, ok := op.(port.PageWrite); ok {
			if w.Off < ends[w.Name] { // a circular log went back to its start
				r.counters["log-wraps"]++
			}
			ends[w.Name] = w.Off + int64(len(w.Data))
			r.lastWrite[w.Name] = w.Off
		}
		node := d.CoreNode(core)
		for i, tr := range r.s.Triggers {
			if counts[i] >= tr.N || (!tr.LeaseLoss && t.Nodes[tr.Node] != node) || !plan.MatchOps(tr.Op, string(op.Kind())) ||
				!strings.Contains(target, tr.Target) {
				continue
			}
			if counts[i]++; counts[i] == tr.N && (tr.LeaseLoss || d.NodeUp(node)) {
				r.fire(d, t, tr, now, core, op)
			}
		}
	})
	return nil
}

// fire breaks a trigger's lease, or crashes its node (with the plan's
// crash effects) and schedules its restart.
func (r *run) fire(d *sim.Driver, t *recorder, tr Trigger, now port.Time, core sim.CoreID, op port.Op) {
	r.events = append(r.events, fmt.Sprintf("%s: fired at %s on %s %s by %s", tr, fmtTime(now), op.Kind(), op.Target(), d.CoreName(core)))
	if tr.LeaseLoss {
		r.counters["triggered-lease-losses"]++
		t.LoseLease(tr.Partition)
		return
	}
	r.counters["triggered-crashes"]++
	t.Crash(tr.Node)
	r.inj.OnCrash(tr.Node, t)
	if tr.Restart > 0 {
		d.RestartAt(now+tr.Restart, t.Nodes[tr.Node])
	}
}

// recorder is the plan target of a script's run: the engine's glue, with
// every crash (timed or triggered) logged with the requests it cuts.
type recorder struct {
	*inject.SimTarget
	r *run
}

// Crash implements inject.Target.
func (c *recorder) Crash(node string) {
	d := c.Driver
	if id := c.Nodes[node]; d.NodeUp(id) {
		var cut []string
		for _, f := range d.InFlight(id) {
			cut = append(cut, fmt.Sprintf("%s %s %s", d.CoreName(f.Core), f.Kind, f.Target))
		}
		c.r.logs = append(c.r.logs, fmt.Sprintf("runner: crash %s at %s; in flight: %s",
			node, fmtTime(d.Kernel().Now()), orNone(cut)))
	}
	c.SimTarget.Crash(node)
}

func fmtTime(t port.Time) string {
	return fmt.Sprintf("%d.%03dms", t/port.Millisecond, (t%port.Millisecond)/port.Microsecond)
}

// tallyMarks reads the Tally entity after the run settled.
func (r *run) tallyMarks(res *scenarios.Result) (map[string]int, error) {
	res.Driver.RunUntil(res.Driver.Kernel().Now() + r.s.Settle)
	resp, err := res.Ask(durable.ClientRequest{Kind: durable.RequestStatus, Instance: scenarios.TallyEntity.String()}, 10*port.Second)
	if err != nil {
		return nil, err
	}
	marks := map[string]int{}
	if resp.Found {
		if err := durable.Unmarshal(resp.Status.Output, &marks); err != nil {
			return nil, fmt.Errorf("tally state %s: %w", resp.Status.Output, err)
		}
	}
	return marks, nil
}
