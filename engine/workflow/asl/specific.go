package asl

import (
	"encoding/json"
	"fmt"
	"time"
)

// Error names the interpreter raises.
const (
	ErrAll             = "States.ALL"
	ErrTaskFailed      = "States.TaskFailed"
	ErrTimeout         = "States.Timeout"
	ErrRuntime         = "States.Runtime"
	ErrBranchFailed    = "States.BranchFailed"
	ErrNoChoiceMatched = "States.NoChoiceMatched"
	ErrIntrinsic       = "States.IntrinsicFailure"
	ErrParameterPath   = "States.ParameterPathFailure"
	ErrResultPath      = "States.ResultPathMatchFailure"
)

// Retry defaults.
const (
	DefaultIntervalSeconds = 1.0
	DefaultMaxAttempts     = 3
	DefaultBackoffRate     = 2.0
)

func (d *Definition) specific(mid string, s *State, o *object) error {
	var err error
	switch s.Type {
	case TypeTask:
		var ok bool
		if s.Resource, ok, err = o.str("Resource"); err != nil {
			return err
		} else if !ok || s.Resource == "" {
			return fmt.Errorf("%s: field Resource is missing (the name of an activity)", o.where)
		}
		if s.TimeoutSeconds, _, err = o.integer("TimeoutSeconds", 1); err != nil {
			return err
		}
	case TypeChoice:
		return s.choice(o)
	case TypeWait:
		return s.wait(o)
	case TypeFail:
		return s.fail(o)
	case TypeParallel:
		if err := d.branches(mid, s, o); err != nil {
			return err
		}
	case TypeMap:
		if err := d.iterator(mid, s, o); err != nil {
			return err
		}
	}
	if has(s.Type, "Retry") {
		if err := s.retry(o); err != nil {
			return err
		}
		return s.catch(o)
	}
	return nil
}

func (s *State) choice(o *object) error {
	raw, ok := o.raw("Choices")
	var rules []json.RawMessage
	if !ok {
		return fmt.Errorf("%s: field Choices is missing", o.where)
	}
	if err := json.Unmarshal(raw, &rules); err != nil || len(rules) == 0 {
		return o.fieldErr("Choices", "a non-empty array of rules")
	}
	for i, r := range rules {
		rule, err := parseRule(fmt.Sprintf("%s: Choices[%d]", o.where, i), r, true)
		if err != nil {
			return err
		}
		s.Choices = append(s.Choices, rule)
	}
	var err error
	s.Default, _, err = o.str("Default")
	return err
}

func (s *State) wait(o *object) error {
	n := 0
	var err error
	var ok bool
	if s.Seconds, ok, err = o.integer("Seconds", 0); err != nil {
		return err
	} else if ok {
		n++
	}
	if s.Timestamp, ok, err = o.str("Timestamp"); err != nil {
		return err
	} else if ok {
		if _, perr := time.Parse(time.RFC3339, s.Timestamp); perr != nil {
			return o.fieldErr("Timestamp", "an RFC 3339 timestamp such as 2026-01-02T15:04:05Z")
		}
		n++
	}
	for _, f := range []struct {
		name string
		dst  **Path
	}{{"SecondsPath", &s.SecondsPath}, {"TimestampPath", &s.TimestampPath}} {
		if !o.has(f.name) {
			continue
		}
		if *f.dst, err = o.path(f.name, true); err != nil {
			return err
		} else if *f.dst == nil {
			return o.fieldErr(f.name, "a reference path")
		}
		n++
	}
	if n != 1 {
		return fmt.Errorf("%s: a Wait state has exactly one of Seconds, Timestamp, SecondsPath, TimestampPath (got %d)", o.where, n)
	}
	return nil
}

func (s *State) fail(o *object) error {
	var err error
	if s.Error, _, err = o.str("Error"); err != nil {
		return err
	}
	if s.Cause, _, err = o.str("Cause"); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		dst   **expr
		other string
	}{{"ErrorPath", &s.ErrorPath, "Error"}, {"CausePath", &s.CausePath, "Cause"}} {
		text, ok, err := o.str(f.name)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if o.has(f.other) {
			return fmt.Errorf("%s: fields %s and %s: give one of them", o.where, f.other, f.name)
		}
		e, err := parseExpr(text)
		if err != nil {
			return fmt.Errorf("%s: field %s: %w", o.where, f.name, err)
		}
		*f.dst = &e
	}
	return nil
}

func (d *Definition) branches(mid string, s *State, o *object) error {
	raw, ok := o.raw("Branches")
	var bs []json.RawMessage
	if !ok {
		return fmt.Errorf("%s: field Branches is missing", o.where)
	}
	if err := json.Unmarshal(raw, &bs); err != nil || len(bs) == 0 {
		return o.fieldErr("Branches", "a non-empty array of state machines")
	}
	for i, b := range bs {
		id := join(mid, fmt.Sprintf("%s/%d", s.Name, i))
		bo, err := newObject(fmt.Sprintf("%s: Branches[%d]", o.where, i), b)
		if err != nil {
			return err
		}
		if _, err := d.machine(id, bo); err != nil {
			return err
		}
		if err := bo.unknown("a branch has StartAt, States, Comment"); err != nil {
			return err
		}
		s.Branches = append(s.Branches, id)
	}
	return nil
}

func (d *Definition) iterator(mid string, s *State, o *object) error {
	field := "ItemProcessor"
	if !o.has(field) {
		field = "Iterator"
	}
	raw, ok := o.raw(field)
	if !ok {
		return fmt.Errorf("%s: field ItemProcessor (or Iterator) is missing", o.where)
	}
	io, err := newObject(fmt.Sprintf("%s: %s", o.where, field), raw)
	if err != nil {
		return err
	}
	if pc, ok := io.raw("ProcessorConfig"); ok {
		var c struct{ Mode string }
		if err := json.Unmarshal(pc, &c); err != nil || c.Mode != "INLINE" {
			return fmt.Errorf("%s: field ProcessorConfig: only {\"Mode\": \"INLINE\"} is supported", io.where)
		}
	}
	s.Iterator = join(mid, s.Name+"/it")
	if _, err := d.machine(s.Iterator, io); err != nil {
		return err
	}
	if err := io.unknown("an item processor has StartAt, States, Comment, ProcessorConfig"); err != nil {
		return err
	}
	if o.has("ItemsPath") {
		if s.ItemsPath, err = o.path("ItemsPath", true); err != nil {
			return err
		} else if s.ItemsPath == nil {
			return o.fieldErr("ItemsPath", "a reference path")
		}
	} else {
		s.ItemsPath = mustPath("$")
	}
	s.MaxConcurrency, _, err = o.integer("MaxConcurrency", 0)
	return err
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}

func errorNames(where string, raw json.RawMessage) ([]string, error) {
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil || len(names) == 0 {
		return nil, fmt.Errorf("%s: field ErrorEquals: want a non-empty array of error names", where)
	}
	for _, n := range names {
		if n == ErrAll && len(names) > 1 {
			return nil, fmt.Errorf("%s: field ErrorEquals: %s must be the only error name", where, ErrAll)
		}
	}
	return names, nil
}

func (s *State) retry(o *object) error {
	raw, ok := o.raw("Retry")
	if !ok {
		return nil
	}
	var rs []json.RawMessage
	if err := json.Unmarshal(raw, &rs); err != nil {
		return o.fieldErr("Retry", "an array of retriers")
	}
	for i, r := range rs {
		ro, err := newObject(fmt.Sprintf("%s: Retry[%d]", o.where, i), r)
		if err != nil {
			return err
		}
		rt, err := parseRetrier(ro)
		if err != nil {
			return err
		}
		if i < len(rs)-1 && len(rt.ErrorEquals) == 1 && rt.ErrorEquals[0] == ErrAll {
			return fmt.Errorf("%s: field ErrorEquals: a retrier of %s must be the last one", ro.where, ErrAll)
		}
		s.Retry = append(s.Retry, rt)
	}
	return nil
}

func parseRetrier(ro *object) (Retrier, error) {
	rt := Retrier{IntervalSeconds: DefaultIntervalSeconds, MaxAttempts: DefaultMaxAttempts, BackoffRate: DefaultBackoffRate}
	raw, ok := ro.raw("ErrorEquals")
	if !ok {
		return rt, fmt.Errorf("%s: field ErrorEquals is missing", ro.where)
	}
	var err error
	if rt.ErrorEquals, err = errorNames(ro.where, raw); err != nil {
		return rt, err
	}
	if v, ok, err := ro.integer("IntervalSeconds", 1); err != nil {
		return rt, err
	} else if ok {
		rt.IntervalSeconds = float64(v)
	}
	if v, ok, err := ro.integer("MaxAttempts", 0); err != nil {
		return rt, err
	} else if ok {
		rt.MaxAttempts = v
	}
	if v, ok, err := ro.number("BackoffRate", 1); err != nil {
		return rt, err
	} else if ok {
		rt.BackoffRate = v
	}
	return rt, ro.unknown("a retrier has ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate")
}

func (s *State) catch(o *object) error {
	raw, ok := o.raw("Catch")
	if !ok {
		return nil
	}
	var cs []json.RawMessage
	if err := json.Unmarshal(raw, &cs); err != nil {
		return o.fieldErr("Catch", "an array of catchers")
	}
	for i, c := range cs {
		co, err := newObject(fmt.Sprintf("%s: Catch[%d]", o.where, i), c)
		if err != nil {
			return err
		}
		var ct Catcher
		raw, ok := co.raw("ErrorEquals")
		if !ok {
			return fmt.Errorf("%s: field ErrorEquals is missing", co.where)
		}
		if ct.ErrorEquals, err = errorNames(co.where, raw); err != nil {
			return err
		}
		next, ok, err := co.str("Next")
		if err != nil {
			return err
		} else if !ok || next == "" {
			return fmt.Errorf("%s: field Next is missing", co.where)
		}
		ct.Next = next
		if ct.ResultPath, err = co.path("ResultPath", true); err != nil {
			return err
		}
		if err := co.unknown("a catcher has ErrorEquals, Next, ResultPath"); err != nil {
			return err
		}
		s.Catch = append(s.Catch, ct)
	}
	return nil
}

// matches reports whether an error name is one of names.
func matches(names []string, errName string) bool {
	for _, n := range names {
		if n == errName || n == ErrAll && errName != ErrRuntime {
			return true
		}
	}
	return false
}
