package inject

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
)

// SimScheduler schedules actions as kernel events; a time already past
// means now (as sim.Driver's injections do).
func SimScheduler(k *sim.Kernel) Scheduler {
	return func(at port.Time, do func()) {
		if now := k.Now(); at < now {
			at = now
		}
		k.Schedule(at, sim.HandlerFunc(func(port.Time, uint64) { do() }), 0)
	}
}

// SimTarget carries out timed actions on a sim.Driver: Crash and Restart
// by node name; moves, lease loss and crash effects need the engine and
// the backend, so they go to the On* functions (nil: the plan may not use
// that action; CheckPlan says so before anything is scheduled).
type SimTarget struct {
	Driver *sim.Driver
	Nodes  map[string]sim.NodeID // node name (as in the plan) → node
	// Partitions is the number of partitions (0: do not check).
	Partitions int

	OnMove         func(partition int, node string)
	OnLeaseLoss    func(partition int)
	OnTearTail     func(node string, partition int)
	OnLoseUnsynced func(node string)
}

// Crash implements Target.
func (s *SimTarget) Crash(node string) { s.Driver.Crash(s.Nodes[node]) }

// Restart implements Target.
func (s *SimTarget) Restart(node string) { s.Driver.Restart(s.Nodes[node]) }

// Move implements Target.
func (s *SimTarget) Move(partition int, node string) { s.OnMove(partition, node) }

// LoseLease implements Target.
func (s *SimTarget) LoseLease(partition int) { s.OnLeaseLoss(partition) }

// TearTail implements CrashEffects.
func (s *SimTarget) TearTail(node string, partition int) { s.OnTearTail(node, partition) }

// LoseUnsynced implements CrashEffects.
func (s *SimTarget) LoseUnsynced(node string) { s.OnLoseUnsynced(node) }

// CheckPlan implements PlanChecker: every node is known, every partition
// in range, every action has its function.
func (s *SimTarget) CheckPlan(p *plan.Plan) error {
	for _, f := range p.Faults {
		if err := s.check(f); err != nil {
			return fmt.Errorf("%q: %w", f.String(), err)
		}
	}
	return nil
}

func (s *SimTarget) check(f plan.Fault) error {
	if f.Node != "" {
		if _, ok := s.Nodes[f.Node]; !ok {
			return fmt.Errorf("node %q: allowed: %s", f.Node, nodeList(s.Nodes))
		}
	}
	usesPartition := f.Kind == plan.Move || f.Kind == plan.LeaseLoss || f.Kind == plan.TornTail
	if usesPartition && s.Partitions > 0 && f.Partition >= s.Partitions {
		return fmt.Errorf("partition p%d: allowed: p0..p%d", f.Partition, s.Partitions-1)
	}
	missing := (f.Kind == plan.Move && s.OnMove == nil) ||
		(f.Kind == plan.LeaseLoss && s.OnLeaseLoss == nil) ||
		(f.Kind == plan.TornTail && s.OnTearTail == nil) ||
		(f.Kind == plan.LoseUnsynced && s.OnLoseUnsynced == nil)
	if missing {
		return fmt.Errorf("%s: this simulation cannot carry it out (no SimTarget.On* function)", f.Kind)
	}
	return nil
}

// nodeList names a map's keys, sorted, for error messages.
func nodeList[V any](m map[string]V) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "(no nodes)"
	}
	return strings.Join(names, ", ")
}
