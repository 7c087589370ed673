package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

// Kind is the kind of one fault line.
type Kind string

// Fault kinds. Timed actions happen once, at Fault.At; storage and stream
// faults apply to every matching request inside Fault.Window; crash effects
// apply whenever a node crashes.
const (
	Crash Kind = "crash" // at 5s crash node2
	// CrashForever crashes a node that never restarts: not by the plan
	// (Validate rejects a later restart of it) and not by a campaign's heal
	// phase; its work must be taken over by the other nodes.
	CrashForever Kind = "crash-forever" // at 5s crash-forever node2
	Restart      Kind = "restart"       // at 8s restart node2
	Move         Kind = "move"          // at 8s move p3 node1
	LeaseLoss    Kind = "lease-loss"    // at 12s lease-loss p4

	StorageError      Kind = "error"       // storage error p=0.01 op=page-write
	StorageErrorAfter Kind = "error-after" // storage error-after p=0.01 op=table-*
	Latency           Kind = "latency"     // latency x20 op=queue-* 10s..20s
	Throttle          Kind = "throttle"    // throttle op=queue-* 10s..20s

	DuplicateStream Kind = "duplicate-stream" // duplicate stream p=0.05
	DelayStream     Kind = "delay-stream"     // delay stream 50ms p=0.1

	TornTail     Kind = "torn-tail"     // torn-tail p7 at crash
	LoseUnsynced Kind = "lose-unsynced" // lose-unsynced at crash
)

// Kinds lists every fault kind in grammar order.
var Kinds = []Kind{Crash, CrashForever, Restart, Move, LeaseLoss, StorageError, StorageErrorAfter,
	Latency, Throttle, DuplicateStream, DelayStream, TornTail, LoseUnsynced}

// Timed reports whether k is a one-off action at Fault.At.
func (k Kind) Timed() bool {
	return k == Crash || k == CrashForever || k == Restart || k == Move || k == LeaseLoss
}

// Crashes reports whether k crashes a node (Crash, CrashForever).
func (k Kind) Crashes() bool { return k == Crash || k == CrashForever }

// Storage reports whether k applies to storage requests matching Fault.Ops.
func (k Kind) Storage() bool {
	return k == StorageError || k == StorageErrorAfter || k == Latency || k == Throttle
}

// Stream reports whether k applies to stream appends.
func (k Kind) Stream() bool { return k == DuplicateStream || k == DelayStream }

// AtCrash reports whether k takes effect when a node crashes.
func (k Kind) AtCrash() bool { return k == TornTail || k == LoseUnsynced }

// Window is a half-open interval [From, To) of run time (time since the
// run's start). The zero Window means the whole run.
type Window struct {
	From, To port.Time
}

// Always reports whether w is the whole run.
func (w Window) Always() bool { return w == Window{} }

// Contains reports whether t is inside w.
func (w Window) Contains(t port.Time) bool { return w.Always() || (t >= w.From && t < w.To) }

// Fault is one line of a plan. Only the fields its Kind uses are set; the
// others are zero, so two equal lines give equal Faults.
type Fault struct {
	Kind      Kind
	At        port.Time // timed actions: when, since the run's start
	Node      string    // crash, restart, move: the node's name
	Partition int       // move, lease-loss, torn-tail: the partition index
	Ops       string    // storage faults: glob over op kinds (see OpKinds)
	P         float64   // probability per matching request, (0, 1]
	Factor    float64   // latency: multiplier, > 1
	Delay     port.Time // delay-stream: added latency
	Window    Window    // storage and stream faults: when they apply
}

// Plan is a list of faults in the order written.
type Plan struct {
	Faults []Fault
}

// Len returns the number of faults.
func (p *Plan) Len() int {
	if p == nil {
		return 0
	}
	return len(p.Faults)
}

// Bounds of numeric fields.
const (
	MaxPartition = 9999                        // partition index
	MaxFactor    = 1000                        // latency multiplier
	MaxTime      = 7 * 24 * 3600 * port.Second // any time or duration in a plan
)

// Validate checks a fault's fields against its kind, naming the field and
// the allowed values.
func (f Fault) Validate() error {
	if !knownKind(f.Kind) {
		return fmt.Errorf("fault kind %q: allowed: %s", f.Kind, kindList())
	}
	if err := f.validateShape(); err != nil {
		return fmt.Errorf("%s: %w", f.Kind, err)
	}
	return nil
}

func (f Fault) validateShape() error {
	k := f.Kind
	if err := checkTime("at", f.At, k.Timed()); err != nil {
		return err
	}
	if err := checkName(f.Node, k.Crashes() || k == Restart || k == Move); err != nil {
		return err
	}
	if f.Partition < 0 || f.Partition > MaxPartition || (f.Partition != 0 && k != Move && k != LeaseLoss && k != TornTail) {
		return fmt.Errorf("partition p%d: allowed: p0, p1, ... on move, lease-loss, torn-tail only", f.Partition)
	}
	if err := checkOps(f.Ops, k.Storage()); err != nil {
		return err
	}
	if err := checkP(f.P, k.Storage() || k.Stream()); err != nil {
		return err
	}
	if err := checkFactor(f.Factor, k == Latency); err != nil {
		return err
	}
	if err := checkTime("delay", f.Delay, k == DelayStream); err != nil {
		return err
	}
	if k == DelayStream && f.Delay == 0 {
		return fmt.Errorf("delay 0ms: allowed: a positive duration")
	}
	return checkWindow(f.Window, k.Storage() || k.Stream())
}

func knownKind(k Kind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func checkTime(field string, t port.Time, used bool) error {
	if !used && t != 0 {
		return fmt.Errorf("%s %s: not allowed on this fault", field, FormatDuration(t))
	}
	if t < 0 || t > MaxTime || t%port.Millisecond != 0 {
		return fmt.Errorf("%s %dns: allowed: 0..7 days in whole milliseconds", field, int64(t))
	}
	return nil
}

func checkName(name string, used bool) error {
	if !used {
		if name != "" {
			return fmt.Errorf("node %q: not allowed on this fault", name)
		}
		return nil
	}
	if err := validNode(name); err != nil {
		return err
	}
	return nil
}

func checkOps(ops string, used bool) error {
	if !used {
		if ops != "" {
			return fmt.Errorf("op=%s: not allowed on this fault", ops)
		}
		return nil
	}
	return ValidOps(ops)
}

func checkP(p float64, used bool) error {
	if !used {
		if p != 0 {
			return fmt.Errorf("p=%s: not allowed on this fault", FormatFloat(p))
		}
		return nil
	}
	if !(p > 0 && p <= 1) {
		return fmt.Errorf("p=%s: allowed: a probability in (0, 1]", FormatFloat(p))
	}
	return nil
}

func checkFactor(x float64, used bool) error {
	if !used {
		if x != 0 {
			return fmt.Errorf("x%s: not allowed on this fault", FormatFloat(x))
		}
		return nil
	}
	if !(x > 1 && x <= MaxFactor) || math.IsNaN(x) {
		return fmt.Errorf("x%s: allowed: a multiplier in (1, 1000]", FormatFloat(x))
	}
	return nil
}

func checkWindow(w Window, used bool) error {
	if w.Always() {
		return nil
	}
	if !used {
		return fmt.Errorf("window %s: not allowed on this fault", w)
	}
	if err := checkTime("window start", w.From, true); err != nil {
		return err
	}
	if err := checkTime("window end", w.To, true); err != nil {
		return err
	}
	if w.To <= w.From {
		return fmt.Errorf("window %s: allowed: FROM..TO with FROM < TO", w)
	}
	return nil
}

// Validate checks every fault, and that no node restarts at or after a
// crash-forever of it.
func (p *Plan) Validate() error {
	for i, f := range p.Faults {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("fault %d: %w", i+1, err)
		}
	}
	if i, err := p.restartAfterForever(); err != nil {
		return fmt.Errorf("fault %d: %w", i+1, err)
	}
	return nil
}

// restartAfterForever finds the first restart of a node at or after its
// crash-forever.
func (p *Plan) restartAfterForever() (int, error) {
	for i, f := range p.Faults {
		if f.Kind != Restart {
			continue
		}
		if at, ok := p.ForeverAt(f.Node); ok && f.At >= at {
			return i, fmt.Errorf("%q: %s crashed forever at %s: allowed: a restart before it only",
				f.String(), f.Node, FormatDuration(at))
		}
	}
	return 0, nil
}

// ForeverAt returns when node crashes forever (its first crash-forever).
func (p *Plan) ForeverAt(node string) (port.Time, bool) {
	var at port.Time
	found := false
	for _, f := range p.filter(func(k Kind) bool { return k == CrashForever }) {
		if f.Node == node && (!found || f.At < at) {
			at, found = f.At, true
		}
	}
	return at, found
}

// Timed returns the timed actions in plan order.
func (p *Plan) Timed() []Fault { return p.filter(Kind.Timed) }

// AtCrash returns the crash effects in plan order.
func (p *Plan) AtCrash() []Fault { return p.filter(Kind.AtCrash) }

func (p *Plan) filter(keep func(Kind) bool) []Fault {
	var out []Fault
	if p == nil {
		return nil
	}
	for _, f := range p.Faults {
		if keep(f.Kind) {
			out = append(out, f)
		}
	}
	return out
}
