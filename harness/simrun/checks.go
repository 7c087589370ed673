package simrun

import (
	"errors"
	"fmt"
	"io"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/workload"
)

// Checkers: the names under which a failed run is reported (CheckError).
// Every one is always on in simulation. The oracle's are the kinds of its
// violations (workload.Kind): a workload's oracle says what broke, the
// runner never reads its text.
const (
	// CheckCompletion: every started instance completes (within the run's
	// virtual-time budget, or the heal phase's).
	CheckCompletion = "completion"
	// CheckWrongOutput: every completed instance has its oracle's output
	// (an oracle error of no other kind).
	CheckWrongOutput = string(workload.WrongOutput)
	// CheckDuplicateEffect: effects (entity operations, and so the
	// orchestration steps that send them) took place at most once: Bank
	// accounts apply each transfer once, WordCount counts each word once.
	CheckDuplicateEffect = string(workload.DuplicateEffect)
	// CheckLostEffect: effects that must have taken place did (a transfer
	// on both sides, every word counted).
	CheckLostEffect = string(workload.LostEffect)
	// CheckConservation: quantities that must not change did not (Bank's
	// sum of balances).
	CheckConservation = string(workload.Conservation)
	// CheckIsolation: critical sections are isolated (a Bank transfer read
	// the source balance the transfers before it left).
	CheckIsolation = string(workload.Isolation)
	// CheckOrdering: persist-before-send (the simulator's ordering marks),
	// under speculation none and local.
	CheckOrdering = "persist-before-send"
	// CheckAcks: an acknowledged start survives every crash (a wait on it
	// never answers "not found").
	CheckAcks = "acks-survive"
)

// Checkers lists every checker, in report order.
var Checkers = []string{CheckCompletion, CheckWrongOutput, CheckDuplicateEffect, CheckLostEffect, CheckConservation,
	CheckIsolation, CheckOrdering, CheckAcks, CheckReplay}

// CheckError is a run that a checker failed (not a setup error).
type CheckError struct {
	Checker string
	Err     error
}

func (e *CheckError) Error() string { return e.Checker + ": " + e.Err.Error() }
func (e *CheckError) Unwrap() error { return e.Err }

// Checker returns the checker that failed err ("" if err is not a
// checker's failure).
func Checker(err error) string {
	var ce *CheckError
	if errors.As(err, &ce) {
		return ce.Checker
	}
	return ""
}

func failed(checker string, err error) error { return &CheckError{Checker: checker, Err: err} }

// Options are what a caller other than the harness may change about a
// run: the calibrator (Models, WrapCore) and the fault campaign (the rest).
type Options struct {
	// Progress, if set, is told the number of events processed so far.
	Progress func(events int64)
	// Models, if set, replaces the named model set of the spec (the
	// calibrator runs candidate sets that have no name yet); the
	// workload's activity costs are merged in as for a named set.
	Models *sim.ModelSet
	// WrapCore, if set, wraps every engine core (sim.Config.WrapCore).
	WrapCore func(name string, c port.Core) port.Core
	// HealAt, if positive, starts the heal phase at this run time: every
	// crashed node restarts (but those crashed forever), and (the plan's faults having ended by then)
	// every instance must be done within HealBudget after it.
	HealAt, HealBudget port.Time
	// Planted switches on one planted bug in the engine (engine knob
	// Planted; "" for none). Only the fault campaign's tests use it.
	Planted string
	// Settle, if positive, runs the simulation this much longer after the
	// last instance is done, before the oracle reads entity states: the
	// original engine sends a step's messages before it writes the state
	// the step produced, so a step retried after a storage error (or after
	// its message's visibility timeout, following a crash) may still owe
	// its own state when the instances it fed are done.
	Settle port.Time
	// ReplayCheck, once the run passed every other checker, crashes and
	// restarts every node and checks replay equivalence (CheckReplay;
	// Netherite only).
	ReplayCheck bool
	// Systems and Workloads are the registries the run finds its engine
	// and workload in (nil: the built-in ones).
	Systems   *systems.Registry
	Workloads *workloads.Registry
	// Log, if set, receives every notable engine event (lease loss, a torn
	// log tail cut at recovery...), one line each.
	Log func(line string)
	// Trace, if set, receives the simulator's canonical trace.
	Trace io.Writer
}

// Outcome is a run's result with what a campaign needs besides metrics.
type Outcome struct {
	Metrics metrics.Set
	// TraceHash is the simulator's trace hash: the same seed and spec give
	// the same hash.
	TraceHash string
	// Faults counts the injected faults by kind and target.
	Faults inject.Counts
	// Events is the number of simulator events processed.
	Events int64
}

// healPhase schedules the heal phase: at HealAt every node that is down
// restarts, except those the plan crashed forever.
func (r *run) healPhase() {
	if r.opts.HealAt <= 0 {
		return
	}
	r.k.Schedule(r.opts.HealAt, sim.HandlerFunc(func(port.Time, uint64) {
		for _, n := range r.nodes {
			if !r.d.NodeUp(n) && !r.forever(n) {
				r.d.Restart(n)
			}
		}
	}), 0)
}

// forever reports whether the plan crashes node n forever.
func (r *run) forever(n sim.NodeID) bool {
	if r.plan == nil {
		return false
	}
	_, ok := r.plan.ForeverAt(r.d.NodeName(n))
	return ok
}

// budget is the virtual time by which every instance must be done.
func (r *run) budget() port.Time {
	if r.opts.HealAt > 0 {
		return r.opts.HealAt + r.opts.HealBudget
	}
	limit := r.spec.Load.TimeLimit
	if limit <= 0 { // a spec built in code, not resolved
		limit = spec.DefaultTimeLimit
	}
	return port.Time(r.arrivals[len(r.arrivals)-1].At) + port.Time(limit)
}

// checkOrdering fails the run on a persist-before-send violation, except
// for a deployment that sends before it persists by design
// (systems.SendsBeforePersist: Netherite's global speculation).
func (r *run) checkOrdering() error {
	if s, ok := r.eng.(systems.SendsBeforePersist); ok && s.SendsBeforePersist() {
		return nil
	}
	if v := r.d.Violations(); len(v) > 0 {
		return failed(CheckOrdering, fmt.Errorf("%d ordering violations, first: %s", len(v), v[0]))
	}
	return nil
}
