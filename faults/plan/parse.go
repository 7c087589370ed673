package plan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

// ParseError is a plan syntax or value error. It names the line (from 1),
// the offending token (empty when the line is incomplete) and, in Err, the
// allowed values.
type ParseError struct {
	Line  int
	Token string
	Err   error
}

func (e *ParseError) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("plan line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("plan line %d: bad token %q: %v", e.Line, e.Token, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a plan's text form: one fault per line; '#' starts a comment;
// blank lines are ignored. See the package documentation for the grammar.
func Parse(text string) (*Plan, error) {
	p := &Plan{}
	var lines []int
	for i, line := range strings.Split(text, "\n") {
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		toks := strings.Fields(line)
		if len(toks) == 0 {
			continue
		}
		f, err := parseLine(toks)
		if err == nil {
			err = wrapValidate(f)
		}
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				pe.Line = i + 1
				return nil, pe
			}
			return nil, &ParseError{Line: i + 1, Err: err}
		}
		p.Faults, lines = append(p.Faults, f), append(lines, i+1)
	}
	if i, err := p.restartAfterForever(); err != nil {
		return nil, &ParseError{Line: lines[i], Err: err}
	}
	return p, nil
}

func wrapValidate(f Fault) error {
	if err := f.Validate(); err != nil {
		return &ParseError{Err: err}
	}
	return nil
}

func bad(tok string, format string, args ...any) error {
	return &ParseError{Token: tok, Err: fmt.Errorf(format, args...)}
}

const lineStarts = "at, storage, latency, throttle, duplicate, delay, torn-tail, lose-unsynced, lease-loss"

func parseLine(t []string) (Fault, error) {
	switch t[0] {
	case "at":
		return parseTimed(t)
	case "lease-loss": // DESIGN.md's "lease-loss p4 at 12s"
		return parseLeaseLossAlias(t)
	case "storage":
		return parseStorage(t)
	case "latency", "throttle":
		return parseLatencyThrottle(t)
	case "duplicate", "delay":
		return parseStream(t)
	case "torn-tail", "lose-unsynced":
		return parseAtCrash(t)
	}
	return Fault{}, bad(t[0], "unknown fault; allowed line starts: %s", lineStarts)
}

// tok returns t[i], or an error naming what is missing.
func tok(t []string, i int, want string) (string, error) {
	if i < len(t) {
		return t[i], nil
	}
	return "", &ParseError{Err: fmt.Errorf("line ends early: want %s after %q", want, strings.Join(t, " "))}
}

func noMore(t []string, n int) error {
	if len(t) > n {
		return bad(t[n], "unexpected token after %q", strings.Join(t[:n], " "))
	}
	return nil
}

func parseTimed(t []string) (Fault, error) {
	s, err := tok(t, 1, "a time (e.g. 5s)")
	if err != nil {
		return Fault{}, err
	}
	at, err := parseDurationTok(s)
	if err != nil {
		return Fault{}, err
	}
	kind, err := tok(t, 2, "crash, crash-forever, restart, move or lease-loss")
	if err != nil {
		return Fault{}, err
	}
	f := Fault{Kind: Kind(kind), At: at}
	n := 4
	switch f.Kind {
	case Crash, CrashForever, Restart:
		f.Node, err = nodeTok(t, 3)
	case Move:
		if f.Partition, err = partitionTok(t, 3); err == nil {
			f.Node, err = nodeTok(t, 4)
		}
		n = 5
	case LeaseLoss:
		f.Partition, err = partitionTok(t, 3)
	default:
		return Fault{}, bad(kind, "unknown timed action; allowed: crash, crash-forever, restart, move, lease-loss")
	}
	if err != nil {
		return Fault{}, err
	}
	return f, noMore(t, n)
}

func parseLeaseLossAlias(t []string) (Fault, error) {
	part, err := partitionTok(t, 1)
	if err != nil {
		return Fault{}, err
	}
	if s, err := tok(t, 2, "at"); err != nil {
		return Fault{}, err
	} else if s != "at" {
		return Fault{}, bad(s, "allowed: at (lease-loss pN at TIME)")
	}
	s, err := tok(t, 3, "a time (e.g. 12s)")
	if err != nil {
		return Fault{}, err
	}
	at, err := parseDurationTok(s)
	if err != nil {
		return Fault{}, err
	}
	return Fault{Kind: LeaseLoss, At: at, Partition: part}, noMore(t, 4)
}

func nodeTok(t []string, i int) (string, error) {
	s, err := tok(t, i, "a node name (e.g. node2)")
	if err != nil {
		return "", err
	}
	if err := validNode(s); err != nil {
		return "", &ParseError{Token: s, Err: err}
	}
	return s, nil
}

func partitionTok(t []string, i int) (int, error) {
	s, err := tok(t, i, "a partition (e.g. p3)")
	if err != nil {
		return 0, err
	}
	p, err := parsePartition(s)
	if err != nil {
		return 0, &ParseError{Token: s, Err: err}
	}
	return p, nil
}

func parsePartition(s string) (int, error) {
	digits, ok := strings.CutPrefix(s, "p")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 0 || n > 9999 || strconv.Itoa(n) != digits {
		return 0, errors.New("allowed: a partition p0..p9999 (e.g. p3)")
	}
	return n, nil
}

func parseDurationTok(s string) (port.Time, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, &ParseError{Token: s, Err: err}
	}
	return d, nil
}

// ParseDuration reads a non-negative duration with a unit: ms, s or m
// (e.g. 50ms, 1.5s, 2m), in whole milliseconds, at most 7 days.
func ParseDuration(s string) (port.Time, error) {
	allowed := errors.New("allowed: a number with unit ms, s or m (e.g. 50ms, 5s, 1.5s, 2m), whole milliseconds, up to 7 days")
	var num string
	var unit port.Time
	switch {
	case strings.HasSuffix(s, "ms"):
		num, unit = s[:len(s)-2], port.Millisecond
	case strings.HasSuffix(s, "s"):
		num, unit = s[:len(s)-1], port.Second
	case strings.HasSuffix(s, "m"):
		num, unit = s[:len(s)-1], 60*port.Second
	default:
		return 0, allowed
	}
	d, ok := decimalTimes(num, unit)
	if !ok || d > MaxTime || d%port.Millisecond != 0 {
		return 0, allowed
	}
	return d, nil
}

// decimalTimes returns num × unit exactly, for num of the form D+ or
// D+.D+ (no sign, no exponent); false on syntax error or overflow.
func decimalTimes(num string, unit port.Time) (port.Time, bool) {
	whole, frac, hasDot := strings.Cut(num, ".")
	if whole == "" || (hasDot && frac == "") || len(whole) > 12 || len(frac) > 6 {
		return 0, false
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil || !allDigits(whole) || port.Time(w) > MaxTime/unit {
		return 0, false
	}
	d := port.Time(w) * unit
	if frac == "" {
		return d, true
	}
	f, err := strconv.ParseUint(frac, 10, 64)
	if err != nil || !allDigits(frac) {
		return 0, false
	}
	scale := port.Time(1)
	for range frac {
		scale *= 10
	}
	part := port.Time(f) * unit
	if part%scale != 0 {
		return 0, false
	}
	return d + part/scale, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
