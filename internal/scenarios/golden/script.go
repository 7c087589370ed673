package golden

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/systems"
)

// Script is one parsed golden scenario script.
type Script struct {
	Name     string
	Engine   string         // a system of Systems
	Opts     systems.Values // the engine's knob values (a bare name: true)
	Scenario string         // "tally" or "bank"
	N        int
	Spread   port.Time
	Seed     uint64
	Nodes    int
	Cores    int
	Deadline port.Time
	Settle   port.Time
	Plan     *plan.Plan
	Triggers []Trigger
	Damages  []Damage
	Expects  []Expect
	Pending  string
}

// Damage corrupts a stored blob at a virtual time, as a failing disk or
// a stray write would: flip XORs byte Off with 0x40, zero clears N bytes
// from Off. Off counts from the blob's start, or (Last) from the start of
// the last acknowledged page write to it.
type Damage struct {
	Line int
	Blob string
	At   port.Time
	Zero bool
	Last bool
	Off  int64
	N    int64
}

func (d Damage) String() string {
	off := strconv.FormatInt(d.Off, 10)
	if d.Last {
		off = "last+" + off
	}
	if d.Zero {
		return fmt.Sprintf("damage %s at %s zero %s %d", d.Blob, plan.FormatDuration(d.At), off, d.N)
	}
	return fmt.Sprintf("damage %s at %s flip %s", d.Blob, plan.FormatDuration(d.At), off)
}

// Trigger is a fault at a protocol point. A crash: Node crashes when its
// cores' N-th successful completion of an op matching Op (and, if set,
// whose target contains Target) has been applied to storage, before the
// core sees it; it restarts Restart later (0: never). A lease loss: the
// lease of Partition is broken at the N-th such completion by any core,
// before that core sees it.
type Trigger struct {
	Line      int
	LeaseLoss bool
	Partition int
	Node      string
	Op        string
	Target    string
	N         int
	Restart   port.Time
}

func (t Trigger) String() string {
	s := fmt.Sprintf("crash %s after %s n=%d", t.Node, t.Op, t.N)
	if t.LeaseLoss {
		s = fmt.Sprintf("lease-loss p%d after %s n=%d", t.Partition, t.Op, t.N)
	}
	if t.Target != "" {
		s += " target=" + t.Target
	}
	if t.Restart > 0 {
		s += " restart=" + plan.FormatDuration(t.Restart)
	}
	return s
}

// Expect is one expectation line.
type Expect struct {
	Line    int
	Kind    string // exactly-once, log, no-log, log-match, counter
	Text    string
	re      *regexp.Regexp
	Counter string
	Op      string
	Value   int64
}

// directives are the line starts this format adds to the plan grammar.
var directives = map[string]func(s *Script, line int, t []string, raw string) error{
	"engine": parseEngine, "scenario": parseScenario, "seed": parseSeed, "nodes": parseNodes,
	"deadline": parseTime(func(s *Script) *port.Time { return &s.Deadline }),
	"settle":   parseTime(func(s *Script) *port.Time { return &s.Settle }),
	"crash":    parseTrigger, "expect": parseExpect, "pending": parsePending, "damage": parseDamage,
}

const directiveList = "engine, scenario, seed, nodes, deadline, settle, crash NODE after, lease-loss pP after, damage, expect, pending"

// isTrigger reports whether a plan-looking line is a trigger of this
// format ("lease-loss pP after ..." rather than the plan's
// "lease-loss pP at 12s").
func isTrigger(t []string) bool { return t[0] == "lease-loss" && len(t) > 2 && t[2] == "after" }

// Parse reads a script. Lines starting with a directive (engine, scenario,
// seed, nodes, deadline, settle, crash NODE after, expect, pending) are
// this format's; every other line is a fault plan line (faults/plan).
func Parse(name, text string) (*Script, error) {
	s := &Script{Name: name, Seed: 1, Nodes: 2, Cores: 2, Deadline: 60 * port.Second, Settle: port.Second}
	lines := strings.Split(text, "\n")
	planLines := make([]string, len(lines))
	for i, raw := range lines {
		line := stripComment(raw)
		t := strings.Fields(line)
		if len(t) == 0 {
			continue
		}
		f, ok := directives[t[0]]
		if isTrigger(t) {
			f, ok = parseTrigger, true
		}
		if !ok {
			planLines[i] = line
			continue
		}
		if err := f(s, i+1, t, line); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", name, i+1, t[0], err)
		}
	}
	p, err := plan.Parse(strings.Join(planLines, "\n"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (a line is a fault plan line or starts with a directive: %s)", name, err, directiveList)
	}
	s.Plan = p
	if s.Engine == "" || s.Scenario == "" {
		return nil, fmt.Errorf("%s: missing directive: want an engine line and a scenario line", name)
	}
	return s, nil
}

// stripComment cuts a '#' comment that is outside quotes ("..." or `...`).
func stripComment(line string) string {
	var quote rune
	for i, c := range line {
		switch {
		case quote == 0 && (c == '"' || c == '`'):
			quote = c
		case quote == c && (c == '`' || line[i-1] != '\\'):
			quote = 0
		case c == '#' && quote == 0:
			return line[:i]
		}
	}
	return line
}

// kv splits key=value options; a bare word is key=true.
func kv(t []string) (map[string]string, error) {
	m := map[string]string{}
	for _, x := range t {
		k, v, ok := strings.Cut(x, "=")
		if !ok {
			v = "true"
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("option %q given twice", k)
		}
		m[k] = v
	}
	return m, nil
}

func parseEngine(s *Script, _ int, t []string, _ string) error {
	if len(t) < 2 {
		return fmt.Errorf("want an engine name: allowed %s", strings.Join(Systems.Names(), ", "))
	}
	if _, err := Systems.Lookup(t[1]); err != nil {
		return fmt.Errorf("engine %q: allowed %s", t[1], strings.Join(Systems.Names(), ", "))
	}
	opts, err := kv(t[2:])
	if err != nil {
		return err
	}
	if err := checkOptions(t[1], opts); err != nil {
		return err
	}
	s.Engine, s.Opts = t[1], opts
	return nil
}

func contains(list []string, x string) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func parseScenario(s *Script, _ int, t []string, _ string) error {
	if len(t) < 2 || (t[1] != "tally" && t[1] != "bank") {
		return fmt.Errorf("want a scenario name: allowed tally, bank")
	}
	opts, err := kv(t[2:])
	if err != nil {
		return err
	}
	s.Scenario, s.N = t[1], 10
	for k, v := range opts {
		switch k {
		case "n":
			if s.N, err = strconv.Atoi(v); err != nil || s.N < 1 || s.N > 10000 {
				return fmt.Errorf("n=%s: allowed 1..10000", v)
			}
		case "spread":
			if s.Spread, err = plan.ParseDuration(v); err != nil {
				return fmt.Errorf("spread=%s: %w", v, err)
			}
		default:
			return fmt.Errorf("option %q: allowed n, spread", k)
		}
	}
	return nil
}

func parseSeed(s *Script, _ int, t []string, _ string) error {
	if len(t) != 2 {
		return fmt.Errorf("want one number")
	}
	v, err := strconv.ParseUint(t[1], 10, 64)
	if err != nil {
		return fmt.Errorf("seed %q: allowed an unsigned integer", t[1])
	}
	s.Seed = v
	return nil
}

func parseNodes(s *Script, _ int, t []string, _ string) error {
	if len(t) < 2 || len(t) > 3 {
		return fmt.Errorf("want: nodes N [cores=C]")
	}
	n, err := strconv.Atoi(t[1])
	if err != nil || n < 1 || n > 64 {
		return fmt.Errorf("nodes %q: allowed 1..64", t[1])
	}
	s.Nodes = n
	if len(t) == 3 {
		v, ok := strings.CutPrefix(t[2], "cores=")
		c, err := strconv.Atoi(v)
		if !ok || err != nil || c < 1 || c > 64 {
			return fmt.Errorf("%q: allowed cores=1..64", t[2])
		}
		s.Cores = c
	}
	return nil
}

func parseTime(field func(*Script) *port.Time) func(*Script, int, []string, string) error {
	return func(s *Script, _ int, t []string, _ string) error {
		if len(t) != 2 {
			return fmt.Errorf("want one duration (e.g. 30s)")
		}
		d, err := plan.ParseDuration(t[1])
		if err != nil {
			return err
		}
		*field(s) = d
		return nil
	}
}

// parseTrigger reads "crash NODE after OP [n=N] [target=TEXT]
// [restart=DUR]" or "lease-loss pP after OP [n=N] [target=TEXT]".
func parseTrigger(s *Script, line int, t []string, _ string) error {
	if len(t) < 4 || t[2] != "after" {
		return fmt.Errorf("want: crash NODE after OP [n=N] [target=TEXT] [restart=DURATION] (timed crashes are \"at 5s crash NODE\")")
	}
	tr := Trigger{Line: line, Node: t[1], Op: t[3], N: 1}
	if t[0] == "lease-loss" {
		p, err := strconv.Atoi(strings.TrimPrefix(t[1], "p"))
		if !strings.HasPrefix(t[1], "p") || err != nil || p < 0 || p > plan.MaxPartition {
			return fmt.Errorf("partition %q: allowed p0 to p%d", t[1], plan.MaxPartition)
		}
		tr = Trigger{Line: line, LeaseLoss: true, Partition: p, Op: t[3], N: 1}
	}
	if err := plan.ValidOps(tr.Op); err != nil {
		return err
	}
	opts, err := kv(t[4:])
	if err != nil {
		return err
	}
	for k, v := range opts {
		switch k {
		case "n":
			if tr.N, err = strconv.Atoi(v); err != nil || tr.N < 1 {
				return fmt.Errorf("n=%s: allowed a count >= 1", v)
			}
		case "target":
			tr.Target = v
		case "restart":
			if tr.LeaseLoss {
				return fmt.Errorf("restart=: allowed on crash triggers only")
			}
			if tr.Restart, err = plan.ParseDuration(v); err != nil || tr.Restart <= 0 {
				return fmt.Errorf("restart=%s: allowed a positive duration", v)
			}
		default:
			return fmt.Errorf("option %q: allowed n, target, restart", k)
		}
	}
	s.Triggers = append(s.Triggers, tr)
	return nil
}

var counterOps = []string{"==", ">=", "<=", ">", "<"}

// parseExpect reads "expect exactly-once", "expect log|no-log|log-match
// "TEXT"" or "expect COUNTER OP VALUE".
func parseExpect(s *Script, line int, t []string, raw string) error {
	if len(t) < 2 {
		return fmt.Errorf("want: exactly-once, log \"TEXT\", no-log \"TEXT\", log-match \"REGEXP\" or COUNTER OP VALUE")
	}
	x := Expect{Line: line, Kind: t[1]}
	switch t[1] {
	case "exactly-once":
		if len(t) != 2 {
			return fmt.Errorf("exactly-once takes no arguments")
		}
	case "log", "no-log", "log-match":
		_, rest, _ := strings.Cut(raw, t[1])
		text, err := strconv.Unquote(strings.TrimSpace(rest))
		if err != nil || text == "" {
			return fmt.Errorf("%s: want one non-empty quoted string (\"...\" or `...`)", t[1])
		}
		x.Text = text
		if t[1] == "log-match" {
			if x.re, err = regexp.Compile(text); err != nil {
				return fmt.Errorf("log-match: %w", err)
			}
		}
	default:
		if len(t) != 4 || !contains(counterOps, t[2]) {
			return fmt.Errorf("%q: want exactly-once, log, no-log, log-match, or COUNTER OP VALUE with OP one of %s",
				t[1], strings.Join(counterOps, " "))
		}
		v, err := strconv.ParseInt(t[3], 10, 64)
		if err != nil {
			return fmt.Errorf("value %q: allowed an integer", t[3])
		}
		x.Kind, x.Counter, x.Op, x.Value = "counter", t[1], t[2], v
	}
	s.Expects = append(s.Expects, x)
	return nil
}

func parsePending(s *Script, _ int, t []string, raw string) error {
	_, rest, _ := strings.Cut(raw, "pending")
	text, err := strconv.Unquote(strings.TrimSpace(rest))
	if err != nil || text == "" {
		return fmt.Errorf("want the reason as one double-quoted string")
	}
	s.Pending = text
	return nil
}

// parseDamage reads "damage BLOB at TIME flip OFF" or "damage BLOB at
// TIME zero OFF N"; OFF is a byte offset or last+N.
func parseDamage(s *Script, line int, t []string, _ string) error {
	const want = "want: damage BLOB at TIME flip OFF, or damage BLOB at TIME zero OFF N (OFF: a byte offset or last+N)"
	if len(t) < 6 || t[2] != "at" || (t[4] == "flip") != (len(t) == 6) || (t[4] != "flip" && t[4] != "zero") {
		return fmt.Errorf("%s", want)
	}
	d := Damage{Line: line, Blob: t[1], Zero: t[4] == "zero"}
	var err error
	if d.At, err = plan.ParseDuration(t[3]); err != nil {
		return err
	}
	off, last := strings.CutPrefix(t[5], "last+")
	if d.Off, err = strconv.ParseInt(off, 10, 64); err != nil || d.Off < 0 {
		return fmt.Errorf("offset %q: %s", t[5], want)
	}
	d.Last = last
	if d.Zero {
		if d.N, err = strconv.ParseInt(t[6], 10, 64); err != nil || d.N < 1 || len(t) != 7 {
			return fmt.Errorf("length %q: allowed a byte count >= 1", t[6])
		}
	}
	s.Damages = append(s.Damages, d)
	return nil
}
