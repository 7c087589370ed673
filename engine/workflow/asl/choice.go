package asl

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Rule is a Choice rule: a comparison of Variable with one operator, or a
// boolean combination (And, Or, Not). Only top-level rules have Next.
type Rule struct {
	Next     string
	Variable *Path
	Op       string // comparison operator, or And, Or, Not
	Value    any    // the operand (for ...Path operators, a *Path)
	Rules    []*Rule
}

var comparisons = []string{
	"StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals", "StringMatches",
	"NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
	"BooleanEquals",
	"TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
	"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
}

func isComparison(op string) (base string, isPath bool, ok bool) {
	base, isPath = strings.CutSuffix(op, "Path")
	for _, c := range comparisons {
		if c == base && !(isPath && (strings.HasPrefix(c, "Is") || c == "StringMatches")) {
			return base, isPath, true
		}
	}
	return "", false, false
}

func parseRule(where string, raw json.RawMessage, top bool) (*Rule, error) {
	o, err := newObject(where, raw)
	if err != nil {
		return nil, err
	}
	r := &Rule{}
	next, hasNext, err := o.str("Next")
	if err != nil {
		return nil, err
	}
	if top && (!hasNext || next == "") {
		return nil, fmt.Errorf("%s: field Next is missing", where)
	}
	if !top && hasNext {
		return nil, fmt.Errorf("%s: field Next is allowed only in a top-level rule", where)
	}
	r.Next = next
	o.raw("Comment")
	var ops []string
	for _, k := range sortedRaw(o.fields) {
		if _, _, ok := isComparison(k); ok || k == "And" || k == "Or" || k == "Not" {
			ops = append(ops, k)
		}
	}
	if len(ops) != 1 {
		return nil, fmt.Errorf("%s: want exactly one operator (And, Or, Not or a comparison such as StringEquals), got %d", where, len(ops))
	}
	r.Op = ops[0]
	raw, _ = o.raw(r.Op)
	if err := r.operand(where, o, raw); err != nil {
		return nil, err
	}
	return r, o.unknown("")
}

func (r *Rule) operand(where string, o *object, raw json.RawMessage) error {
	switch r.Op {
	case "And", "Or":
		var subs []json.RawMessage
		if err := json.Unmarshal(raw, &subs); err != nil || len(subs) == 0 {
			return fmt.Errorf("%s: field %s: want a non-empty array of rules", where, r.Op)
		}
		for i, s := range subs {
			sub, err := parseRule(fmt.Sprintf("%s.%s[%d]", where, r.Op, i), s, false)
			if err != nil {
				return err
			}
			r.Rules = append(r.Rules, sub)
		}
		return nil
	case "Not":
		sub, err := parseRule(where+".Not", raw, false)
		r.Rules = []*Rule{sub}
		return err
	}
	v, ok, err := o.str("Variable")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s: field Variable is missing (a comparison needs one)", where)
	}
	if r.Variable, err = ParsePath(v); err != nil {
		return fmt.Errorf("%s: field Variable: %w", where, err)
	}
	base, isPath, _ := isComparison(r.Op)
	val, err := decodeValue(raw)
	if err != nil {
		return fmt.Errorf("%s: field %s: want a JSON value", where, r.Op)
	}
	if isPath {
		s, ok := val.(string)
		p, perr := ParsePath(s)
		if !ok || perr != nil {
			return fmt.Errorf("%s: field %s: want a path", where, r.Op)
		}
		r.Value = p
		return nil
	}
	r.Value = val
	switch {
	case strings.HasPrefix(base, "String"), strings.HasPrefix(base, "Timestamp"):
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("%s: field %s: want a string", where, r.Op)
		}
		if strings.HasPrefix(base, "Timestamp") {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return fmt.Errorf("%s: field %s: want an RFC 3339 timestamp", where, r.Op)
			}
		}
	case strings.HasPrefix(base, "Numeric"):
		if _, ok := val.(json.Number); !ok {
			return fmt.Errorf("%s: field %s: want a number", where, r.Op)
		}
	default: // BooleanEquals and the Is* tests
		if _, ok := val.(bool); !ok {
			return fmt.Errorf("%s: field %s: want true or false", where, r.Op)
		}
	}
	return nil
}

// Eval evaluates the rule against the state's input.
func (r *Rule) Eval(input, ctx any) (bool, error) {
	switch r.Op {
	case "And", "Or":
		for _, s := range r.Rules {
			ok, err := s.Eval(input, ctx)
			if err != nil {
				return false, err
			}
			if ok != (r.Op == "And") {
				return ok, nil
			}
		}
		return r.Op == "And", nil
	case "Not":
		ok, err := r.Rules[0].Eval(input, ctx)
		return !ok, err
	}
	base, isPath, _ := isComparison(r.Op)
	v, verr := r.Variable.Get(input, ctx)
	switch base {
	case "IsPresent":
		return (verr == nil) == r.Value.(bool), nil
	}
	if verr != nil {
		return false, fmt.Errorf("choice rule %s: %w", r.Op, verr)
	}
	want := r.Value
	if isPath {
		var err error
		if want, err = r.Value.(*Path).Get(input, ctx); err != nil {
			return false, fmt.Errorf("choice rule %s: %w", r.Op, err)
		}
	}
	return compare(base, v, want)
}

func compare(base string, v, want any) (bool, error) {
	switch base {
	case "IsNull":
		return (v == nil) == want.(bool), nil
	case "IsNumeric":
		_, ok := v.(json.Number)
		return ok == want.(bool), nil
	case "IsString":
		_, ok := v.(string)
		return ok == want.(bool), nil
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == want.(bool), nil
	case "IsTimestamp":
		_, ok := timestamp(v)
		return ok == want.(bool), nil
	case "BooleanEquals":
		b, ok := v.(bool)
		return ok && b == want, nil
	case "StringMatches":
		s, ok := v.(string)
		return ok && globMatch(want.(string), s), nil
	}
	op := base[strings.IndexAny(base[1:], "ELG")+1:]
	var c int
	switch {
	case strings.HasPrefix(base, "String"):
		a, ok1 := v.(string)
		b, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false, nil
		}
		c = strings.Compare(a, b)
	case strings.HasPrefix(base, "Numeric"):
		a, ok1 := number(v)
		b, ok2 := number(want)
		if !ok1 || !ok2 {
			return false, nil
		}
		c = a.Cmp(b)
	default:
		a, ok1 := timestamp(v)
		b, ok2 := timestamp(want)
		if !ok1 || !ok2 {
			return false, nil
		}
		c = a.Compare(b)
	}
	switch op {
	case "Equals":
		return c == 0, nil
	case "LessThan":
		return c < 0, nil
	case "GreaterThan":
		return c > 0, nil
	case "LessThanEquals":
		return c <= 0, nil
	}
	return c >= 0, nil // GreaterThanEquals
}

func number(v any) (*big.Float, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	f, _, err := big.ParseFloat(string(n), 10, 256, big.ToNearestEven)
	return f, err == nil
}

func timestamp(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// globMatch is StringMatches: * matches any run of characters; \* and \\
// are literal.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch c := pattern[0]; {
	case c == '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case c == '\\' && len(pattern) > 1:
		return s != "" && s[0] == pattern[1] && globMatch(pattern[2:], s[1:])
	default:
		return s != "" && s[0] == c && globMatch(pattern[1:], s[1:])
	}
}
