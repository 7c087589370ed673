package systems

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dflab/dflab/engine/port"
)

// Kind is a knob's value type.
type Kind uint8

// Knob kinds and their text forms.
const (
	Int      Kind = iota // a decimal integer
	Bytes                // a byte count: 4096, 64KiB, 20MiB, 1GiB
	Duration             // a Go duration: 10ms, 60s
	Bool                 // true or false
	Enum                 // one of Knob.Allowed
)

var kindNames = [...]string{"int", "bytes", "duration", "bool", "enum"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Runner names: who runs a system (Knob.Only, Parse).
const (
	RunnerSim  = "sim"
	RunnerReal = "real"
)

// Knob is one knob of a system, defined once: its name is the same in a
// spec (engine.<system>.<name>, a dotted name nesting objects), on the
// command line (--set engine.<system>.<name>=V), in golden scripts
// (name=V) and in the campaign's draws (System.Draw).
type Knob struct {
	Name string
	Doc  string
	Kind Kind
	// Unit is an Int knob's unit ("partitions", "TUs"; "": a count); the
	// other kinds say their own.
	Unit string
	// Default is the value a missing knob takes, in text form.
	Default string
	// Allowed are an Enum's values.
	Allowed []string
	// Min and Max bound Int and Bytes values (both 0: any). An Int knob
	// may also take the values of Special (e.g. -1: off).
	Min, Max int64
	Special  []int64
	// Only, if set, is the one runner that honours the knob (RunnerSim or
	// RunnerReal); a value given to another runner is an error.
	Only string
}

func (k Knob) check() error {
	if k.Name == "" {
		return fmt.Errorf("a knob has no name")
	}
	if k.Kind == Enum && len(k.Allowed) == 0 {
		return fmt.Errorf("knob %s: an enum with no allowed values", k.Name)
	}
	if k.Default != "" {
		if _, err := k.Parse(k.Default); err != nil {
			return fmt.Errorf("knob %s: default: %w", k.Name, err)
		}
	}
	return nil
}

// Parse parses a value in text form and checks its range. The value is
// an int64 (Int, Bytes), a port.Time (Duration), a bool or a string.
func (k Knob) Parse(text string) (any, error) {
	switch k.Kind {
	case Int, Bytes:
		var n int64
		var err error
		if k.Kind == Bytes {
			n, err = ParseBytes(text)
		} else if n, err = strconv.ParseInt(strings.TrimSpace(text), 10, 64); err != nil {
			err = fmt.Errorf("%q: allowed an integer", text)
		}
		if err != nil {
			return nil, err
		}
		if (k.Min != 0 || k.Max != 0) && (n < k.Min || n > k.Max) && !slices.Contains(k.Special, n) {
			return nil, fmt.Errorf("%d is out of range; allowed %s", n, k.rangeText())
		}
		return n, nil
	case Duration:
		d, err := time.ParseDuration(strings.TrimSpace(text))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q: allowed a duration > 0 such as 10ms or 60s", text)
		}
		return port.Time(d), nil
	case Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("%q: allowed true, false", text)
		}
		return b, nil
	case Enum:
		if !slices.Contains(k.Allowed, text) {
			return nil, fmt.Errorf("%q: allowed %s", text, strings.Join(k.Allowed, ", "))
		}
		return text, nil
	}
	return nil, fmt.Errorf("knob %s: unknown kind %v", k.Name, k.Kind)
}

// Canonical parses a value and returns it in canonical text form (Format).
func (k Knob) Canonical(text string) (string, error) {
	x, err := k.Parse(text)
	if err != nil {
		return "", err
	}
	return Format(x), nil
}

// Format writes a parsed value (Knob.Parse) in canonical text form:
// integers in decimal, durations as Go durations, booleans and strings as
// they are.
func Format(x any) string {
	switch v := x.(type) {
	case port.Time:
		return time.Duration(v).String()
	case string:
		return v
	}
	return fmt.Sprint(x)
}

func (k Knob) rangeText() string {
	s := fmt.Sprintf("%d..%d", k.Min, k.Max)
	for _, x := range k.Special {
		s += fmt.Sprintf(" or %d", x)
	}
	return s
}

// ParseBytes reads a byte count with an optional KiB, MiB or GiB suffix.
func ParseBytes(v string) (int64, error) {
	s, mult := strings.TrimSpace(v), int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if x, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = x, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q: allowed a positive byte count, optionally with KiB, MiB or GiB", v)
	}
	return n * mult, nil
}

// Values are knob values by knob name, in text form.
type Values map[string]string

// Names returns the names of the values, sorted.
func (v Values) Names() []string {
	out := make([]string, 0, len(v))
	for n := range v {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// With returns a copy of v with more values set.
func (v Values) With(more Values) Values {
	out := make(Values, len(v)+len(more))
	for n, x := range v {
		out[n] = x
	}
	for n, x := range more {
		out[n] = x
	}
	return out
}

// Knob finds a knob by name.
func (s *System) Knob(name string) (Knob, bool) {
	for _, k := range s.Knobs {
		if k.Name == name {
			return k, true
		}
	}
	return Knob{}, false
}

// KnobNames lists the system's knob names.
func (s *System) KnobNames() []string {
	out := make([]string, len(s.Knobs))
	for i, k := range s.Knobs {
		out[i] = k.Name
	}
	return out
}

// KnobError is a knob value a system refuses: it names the knob, the
// system and, when the knob is one the runner cannot honour, the runner.
type KnobError struct {
	Knob, System, Runner string
	Err                  error
}

func (e *KnobError) Error() string {
	return fmt.Sprintf("knob %s of system %s: %v", e.Knob, e.System, e.Err)
}

func (e *KnobError) Unwrap() error { return e.Err }

// Parse checks knob values for a runner (RunnerSim, RunnerReal; "" for
// any) and returns them parsed, defaults filled in: a value for a name
// that is no knob of the system, or that the runner does not honour, is
// a *KnobError naming the knob, the system and the runner.
func (s *System) Parse(v Values, runner string) (Set, error) {
	out := Set{system: s.Name, vals: map[string]any{}}
	for _, name := range v.Names() {
		k, ok := s.Knob(name)
		if !ok {
			return Set{}, &KnobError{Knob: name, System: s.Name, Err: fmt.Errorf("no such knob; allowed %s", strings.Join(s.KnobNames(), ", "))}
		}
		if k.Only != "" && runner != "" && k.Only != runner {
			return Set{}, &KnobError{Knob: name, System: s.Name, Runner: runner,
				Err: fmt.Errorf("the %s runner cannot honour it (only the %s runner does)", runner, k.Only)}
		}
		x, err := k.Parse(v[name])
		if err != nil {
			return Set{}, &KnobError{Knob: name, System: s.Name, Err: err}
		}
		out.vals[name] = x
	}
	for _, k := range s.Knobs {
		if _, set := out.vals[k.Name]; set || k.Default == "" {
			continue
		}
		x, err := k.Parse(k.Default)
		if err != nil {
			return Set{}, &KnobError{Knob: k.Name, System: s.Name, Err: fmt.Errorf("default: %w", err)}
		}
		out.vals[k.Name] = x
	}
	if s.Validate != nil {
		if err := s.Validate(out, runner); err != nil {
			return Set{}, err
		}
	}
	return out, nil
}

// Defaults returns the default values of the knobs the runner honours
// (RunnerSim, RunnerReal; "": all), in canonical text form.
func (s *System) Defaults(runner string) Values {
	out := Values{}
	for _, k := range s.Knobs {
		if k.Default == "" || k.Only != "" && runner != "" && k.Only != runner {
			continue
		}
		if c, err := k.Canonical(k.Default); err == nil {
			out[k.Name] = c
		}
	}
	return out
}

// Set are parsed knob values (System.Parse). A getter of a knob that has
// no value (no default, none given) returns the zero value.
type Set struct {
	system string
	vals   map[string]any
}

// Has reports whether the knob has a value.
func (s Set) Has(name string) bool { _, ok := s.vals[name]; return ok }

// Int returns an Int or Bytes knob.
func (s Set) Int(name string) int64 { n, _ := s.vals[name].(int64); return n }

// Duration returns a Duration knob.
func (s Set) Duration(name string) port.Time { d, _ := s.vals[name].(port.Time); return d }

// Bool returns a Bool knob.
func (s Set) Bool(name string) bool { b, _ := s.vals[name].(bool); return b }

// Enum returns an Enum knob.
func (s Set) Enum(name string) string { x, _ := s.vals[name].(string); return x }
