package asl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// State types.
const (
	TypeTask     = "Task"
	TypeChoice   = "Choice"
	TypeParallel = "Parallel"
	TypeMap      = "Map"
	TypePass     = "Pass"
	TypeWait     = "Wait"
	TypeSucceed  = "Succeed"
	TypeFail     = "Fail"
)

var stateTypes = []string{TypeTask, TypeChoice, TypeParallel, TypeMap, TypePass, TypeWait, TypeSucceed, TypeFail}

// Definition is a checked state machine.
type Definition struct {
	Comment string
	root    *Machine
	// machines by id: "" the top level, "S/0" branch 0 of Parallel S,
	// "S/it" the iterator of Map S (nested ids join with "/").
	machines map[string]*Machine
}

// Machine is one list of states: the top level, a Parallel branch or a Map
// iterator.
type Machine struct {
	ID      string
	StartAt string
	States  map[string]*State
}

// State is one state of a machine; which fields apply depends on Type.
type State struct {
	Name, Type string
	Next       string
	End        bool

	InputPath, OutputPath, ResultPath *Path // nil: null
	Parameters, ResultSelector        *Template
	Result                            any
	HasResult                         bool

	// Task.
	Resource       string
	TimeoutSeconds int
	// Retry and Catch (Task, Parallel, Map).
	Retry []Retrier
	Catch []Catcher
	// Choice.
	Choices []*Rule
	Default string
	// Wait (one of).
	Seconds                    int
	SecondsPath, TimestampPath *Path
	Timestamp                  string
	// Fail.
	Error, Cause         string
	ErrorPath, CausePath *expr
	// Parallel branches and the Map iterator (ids of machines).
	Branches       []string
	Iterator       string
	ItemsPath      *Path
	MaxConcurrency int
}

// Retrier is one element of Retry.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds float64
	MaxAttempts     int
	BackoffRate     float64
}

// Catcher is one element of Catch.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  *Path
}

// Parse checks a definition and returns it; an error names the state and
// the field of the first fault found.
func Parse(b []byte) (*Definition, error) {
	o, err := newObject("definition", b)
	if err != nil {
		return nil, err
	}
	d := &Definition{machines: map[string]*Machine{}}
	if d.Comment, _, err = o.str("Comment"); err != nil {
		return nil, err
	}
	if v, ok, err := o.str("Version"); err != nil {
		return nil, err
	} else if ok && v != "1.0" {
		return nil, fmt.Errorf("definition: field Version = %q: allowed 1.0", v)
	}
	if o.has("TimeoutSeconds") {
		return nil, fmt.Errorf("definition: field TimeoutSeconds (an execution timeout) is not supported by this interpreter")
	}
	if d.root, err = d.machine("", o); err != nil {
		return nil, err
	}
	if err := o.unknown("a definition has StartAt, States, Comment, Version"); err != nil {
		return nil, err
	}
	return d, nil
}

// Root is the top-level machine.
func (d *Definition) Root() *Machine { return d.root }

// Machine returns a machine by id.
func (d *Definition) Machine(id string) *Machine { return d.machines[id] }

func (d *Definition) machine(id string, o *object) (*Machine, error) {
	m := &Machine{ID: id, States: map[string]*State{}}
	where := o.where
	start, ok, err := o.str("StartAt")
	if err != nil {
		return nil, err
	}
	if !ok || start == "" {
		return nil, fmt.Errorf("%s: field StartAt is missing", where)
	}
	raw, ok := o.raw("States")
	if !ok {
		return nil, fmt.Errorf("%s: field States is missing", where)
	}
	var states map[string]json.RawMessage
	if err := json.Unmarshal(raw, &states); err != nil || len(states) == 0 {
		return nil, fmt.Errorf("%s: field States: want an object of one or more states", where)
	}
	m.StartAt = start
	d.machines[id] = m
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "" || len(n) > 80 {
			return nil, fmt.Errorf("%s: a state name must have 1..80 characters, got %q", where, n)
		}
		s, err := d.state(id, n, states[n])
		if err != nil {
			return nil, err
		}
		m.States[n] = s
	}
	if m.States[start] == nil {
		return nil, fmt.Errorf("%s: field StartAt: no state %q (states: %s)", where, start, quote(names))
	}
	return m, m.checkGraph(where, names)
}

// checkGraph checks every transition target and that every state is
// reachable from StartAt.
func (m *Machine) checkGraph(where string, names []string) error {
	for _, n := range names {
		s := m.States[n]
		for _, t := range s.targets() {
			if m.States[t.to] == nil {
				return fmt.Errorf("state %q: field %s: no state %q in this machine (%s: states %s)", n, t.field, t.to, where, quote(names))
			}
		}
	}
	seen := map[string]bool{m.StartAt: true}
	todo := []string{m.StartAt}
	for len(todo) > 0 {
		s := m.States[todo[0]]
		todo = todo[1:]
		for _, t := range s.targets() {
			if !seen[t.to] {
				seen[t.to] = true
				todo = append(todo, t.to)
			}
		}
	}
	for _, n := range names {
		if !seen[n] {
			return fmt.Errorf("state %q: unreachable from StartAt %q (%s)", n, m.StartAt, where)
		}
	}
	return nil
}

type target struct{ field, to string }

func (s *State) targets() []target {
	var out []target
	if s.Next != "" {
		out = append(out, target{"Next", s.Next})
	}
	for i, c := range s.Catch {
		out = append(out, target{fmt.Sprintf("Catch[%d].Next", i), c.Next})
	}
	for i, r := range s.Choices {
		out = append(out, target{fmt.Sprintf("Choices[%d].Next", i), r.Next})
	}
	if s.Default != "" {
		out = append(out, target{"Default", s.Default})
	}
	return out
}

// allowed lists each type's fields beyond Type and Comment.
var allowed = map[string]string{
	TypeTask:     "Next End InputPath OutputPath Parameters ResultSelector ResultPath Resource TimeoutSeconds Retry Catch",
	TypeParallel: "Next End InputPath OutputPath Parameters ResultSelector ResultPath Branches Retry Catch",
	TypeMap:      "Next End InputPath OutputPath Parameters ItemSelector ResultSelector ResultPath Iterator ItemProcessor ItemsPath MaxConcurrency Retry Catch",
	TypePass:     "Next End InputPath OutputPath Parameters ResultPath Result",
	TypeWait:     "Next End InputPath OutputPath Seconds SecondsPath Timestamp TimestampPath",
	TypeChoice:   "InputPath OutputPath Choices Default",
	TypeSucceed:  "InputPath OutputPath",
	TypeFail:     "Error Cause ErrorPath CausePath",
}

func has(list, field string) bool { return strings.Contains(" "+allowed[list]+" ", " "+field+" ") }

func (d *Definition) state(mid, name string, raw json.RawMessage) (*State, error) {
	o, err := newObject(fmt.Sprintf("state %q", name), raw)
	if err != nil {
		return nil, err
	}
	typ, ok, err := o.str("Type")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("state %q: field Type is missing (allowed %s)", name, strings.Join(stateTypes, ", "))
	}
	if _, known := allowed[typ]; !known {
		return nil, fmt.Errorf("state %q: field Type = %q: allowed %s", name, typ, strings.Join(stateTypes, ", "))
	}
	o.raw("Comment")
	s := &State{Name: name, Type: typ}
	for _, f := range sortedRaw(o.fields) {
		if f != "Type" && f != "Comment" && !has(typ, f) {
			return nil, fmt.Errorf("state %q: field %s is not allowed in a %s state (allowed: %s)", name, f, typ, allowed[typ])
		}
	}
	if err := s.common(o); err != nil {
		return nil, err
	}
	if err := d.specific(mid, s, o); err != nil {
		return nil, err
	}
	return s, o.unknown("")
}

func sortedRaw(m map[string]json.RawMessage) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// common reads the flow and path fields.
func (s *State) common(o *object) error {
	var err error
	next, hasNext, err := o.str("Next")
	if err != nil {
		return err
	}
	end, hasEnd, err := o.boolean("End")
	if err != nil {
		return err
	}
	s.Next, s.End = next, end
	if has(s.Type, "Next") {
		switch {
		case hasNext && end:
			return fmt.Errorf("%s: fields Next and End: a state has one of them, not both", o.where)
		case !hasNext && !end:
			return fmt.Errorf("%s: field Next is missing (or set End to true for a terminal state)", o.where)
		case hasNext && next == "":
			return o.fieldErr("Next", "a state name")
		case hasEnd && !end && !hasNext:
			return o.fieldErr("End", "true (or give Next)")
		}
	}
	if s.InputPath, err = o.path("InputPath", false); err != nil {
		return err
	}
	if s.OutputPath, err = o.path("OutputPath", false); err != nil {
		return err
	}
	if s.ResultPath, err = o.path("ResultPath", true); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  **Template
	}{{"Parameters", &s.Parameters}, {"ItemSelector", &s.Parameters}, {"ResultSelector", &s.ResultSelector}} {
		v, ok, err := o.value(f.name)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		t, err := parseTemplate(v)
		if err != nil {
			return fmt.Errorf("%s: field %s: %w", o.where, f.name, err)
		}
		*f.dst = t
	}
	s.Result, s.HasResult, err = o.value("Result")
	return err
}
