package inject

import (
	"fmt"
	"sort"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
)

// Target carries out a plan's timed actions. The simulator glue
// (SimTarget) and a real run's harness implement it; neither the plan nor
// the injector knows how a node crashes or a partition moves.
type Target interface {
	Crash(node string)
	Restart(node string)
	Move(partition int, node string)
	LoseLease(partition int)
}

// CrashEffects are the crash-time faults of a disk-like backend. A Target
// must implement it when the plan has torn-tail or lose-unsynced lines.
type CrashEffects interface {
	// TearTail tears the unsynced tail of the partition's commit log, if
	// node hosted the partition when it crashed.
	TearTail(node string, partition int)
	// LoseUnsynced loses the node's unsynced page writes and append blocks.
	LoseUnsynced(node string)
}

// PlanChecker is implemented by Targets that can reject a plan up front
// (an unknown node, a partition out of range, an action they cannot do).
type PlanChecker interface {
	CheckPlan(p *plan.Plan) error
}

// Scheduler calls do at time at (on the injector's Clock: Start plus the
// plan's time). The simulator glue schedules a kernel event (SimScheduler);
// a real run uses a timer on its own goroutine.
type Scheduler func(at port.Time, do func())

// Schedule hands every timed action of the plan to at, in time order (plan
// order among equal times). When an action fires it is counted and applied
// to t; a crash also applies the plan's crash effects (OnCrash). It fails,
// scheduling nothing, if t cannot carry out the plan.
func (in *Injector) Schedule(at Scheduler, t Target) error {
	p := in.cfg.Plan
	if pc, ok := t.(PlanChecker); ok {
		if err := pc.CheckPlan(p); err != nil {
			return fmt.Errorf("inject.Schedule: %w", err)
		}
	}
	if _, ok := t.(CrashEffects); !ok && len(p.AtCrash()) > 0 {
		return fmt.Errorf("inject.Schedule: the plan has %q but the target (%T) does not implement CrashEffects",
			p.AtCrash()[0].String(), t)
	}
	timed := p.Timed()
	sort.SliceStable(timed, func(i, j int) bool { return timed[i].At < timed[j].At })
	for _, f := range timed {
		at(in.cfg.Start+f.At, func() { in.fire(f, t) })
	}
	return nil
}

func (in *Injector) fire(f plan.Fault, t Target) {
	switch f.Kind {
	case plan.Crash, plan.CrashForever:
		in.count(f.Kind, f.Node)
		t.Crash(f.Node)
		if ce, ok := t.(CrashEffects); ok {
			in.OnCrash(f.Node, ce)
		}
	case plan.Restart:
		in.count(f.Kind, f.Node)
		t.Restart(f.Node)
	case plan.Move:
		in.count(f.Kind, partitionName(f.Partition))
		t.Move(f.Partition, f.Node)
	case plan.LeaseLoss:
		in.count(f.Kind, partitionName(f.Partition))
		t.LoseLease(f.Partition)
	}
}

// OnCrash applies the plan's crash effects to a node that just crashed,
// in plan order. Schedule calls it for the plan's crashes; call it too for
// crashes from elsewhere (a campaign's random crashes).
func (in *Injector) OnCrash(node string, ce CrashEffects) {
	for _, f := range in.cfg.Plan.AtCrash() {
		switch f.Kind {
		case plan.TornTail:
			in.count(f.Kind, partitionName(f.Partition))
			ce.TearTail(node, f.Partition)
		case plan.LoseUnsynced:
			in.count(f.Kind, node)
			ce.LoseUnsynced(node)
		}
	}
}

func partitionName(p int) string { return fmt.Sprintf("p%d", p) }
