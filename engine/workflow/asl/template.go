package asl

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// Template is a payload template (Parameters, ResultSelector, ItemSelector):
// a JSON value whose object keys ending in ".$" take their value from a
// path, a context path or an intrinsic function.
type Template struct{ v any }

// parseTemplate checks every ".$" value of a template.
func parseTemplate(v any) (*Template, error) {
	if err := checkTemplate(v); err != nil {
		return nil, err
	}
	return &Template{v: v}, nil
}

func checkTemplate(v any) error {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if strings.HasSuffix(k, ".$") {
				s, ok := x[k].(string)
				if !ok {
					return fmt.Errorf("key %q: want a path or intrinsic function string", k)
				}
				if _, err := parseExpr(s); err != nil {
					return fmt.Errorf("key %q: %w", k, err)
				}
				continue
			}
			if err := checkTemplate(x[k]); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkTemplate(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Apply evaluates the template against input and the context object.
func (t *Template) Apply(input, ctx any) (any, error) { return applyTemplate(t.v, input, ctx) }

func applyTemplate(v, input, ctx any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				e, _ := parseExpr(x[k].(string))
				r, err := e.eval(input, ctx)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", k, err)
				}
				out[name] = r
				continue
			}
			r, err := applyTemplate(x[k], input, ctx)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := applyTemplate(e, input, ctx)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// expr is a path or an intrinsic function call with its arguments.
type expr struct {
	path  *Path
	fn    string
	args  []expr
	lit   any
	isLit bool
}

func parseExpr(s string) (expr, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "States.") {
		e, rest, err := parseCall(s)
		if err != nil {
			return expr{}, err
		}
		if strings.TrimSpace(rest) != "" {
			return expr{}, fmt.Errorf("intrinsic %q: trailing %q", s, rest)
		}
		return e, nil
	}
	p, err := ParsePath(s)
	if err != nil {
		return expr{}, err
	}
	return expr{path: p}, nil
}

var intrinsics = map[string]int{ // name: arguments (-1: any, >= 1)
	"States.Array": -1, "States.Format": -1, "States.JsonToString": 1, "States.StringToJson": 1, "States.MathAdd": 2,
}

func parseCall(s string) (expr, string, error) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return expr{}, "", fmt.Errorf("intrinsic %q: want States.Name(arguments)", s)
	}
	name := s[:open]
	nargs, ok := intrinsics[name]
	if !ok {
		return expr{}, "", fmt.Errorf("unknown intrinsic function %q (allowed States.Array, States.Format, States.JsonToString, States.StringToJson, States.MathAdd)", name)
	}
	e := expr{fn: name}
	rest := strings.TrimSpace(s[open+1:])
	for {
		if strings.HasPrefix(rest, ")") {
			rest = rest[1:]
			break
		}
		if len(e.args) > 0 {
			r, ok := strings.CutPrefix(rest, ",")
			if !ok {
				return expr{}, "", fmt.Errorf("intrinsic %s: want , or ) at %q", name, rest)
			}
			rest = strings.TrimSpace(r)
		}
		a, r, err := parseArg(rest)
		if err != nil {
			return expr{}, "", fmt.Errorf("intrinsic %s: %w", name, err)
		}
		e.args, rest = append(e.args, a), strings.TrimSpace(r)
	}
	if nargs > 0 && len(e.args) != nargs || nargs < 0 && name == "States.Format" && len(e.args) == 0 {
		return expr{}, "", fmt.Errorf("intrinsic %s: %d arguments, want %d", name, len(e.args), max(nargs, 1))
	}
	return e, rest, nil
}

func parseArg(s string) (expr, string, error) {
	switch {
	case s == "":
		return expr{}, "", fmt.Errorf("missing argument or )")
	case s[0] == '\'':
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '\'':
				return expr{lit: b.String(), isLit: true}, s[i+1:], nil
			default:
				b.WriteByte(s[i])
			}
		}
		return expr{}, "", fmt.Errorf("unterminated string %q", s)
	case strings.HasPrefix(s, "States."):
		return parseCall(s)
	case s[0] == '$':
		end := strings.IndexAny(s, ",)")
		if end < 0 {
			end = len(s)
		}
		p, err := ParsePath(strings.TrimSpace(s[:end]))
		if err != nil {
			return expr{}, "", err
		}
		return expr{path: p}, s[end:], nil
	}
	end := strings.IndexAny(s, ",)")
	if end < 0 {
		end = len(s)
	}
	v, err := decodeValue([]byte(strings.TrimSpace(s[:end])))
	if err != nil {
		return expr{}, "", fmt.Errorf("argument %q: want a 'string', a number, true, false, null or a path", s[:end])
	}
	return expr{lit: v, isLit: true}, s[end:], nil
}

func (e expr) eval(input, ctx any) (any, error) {
	switch {
	case e.isLit:
		return e.lit, nil
	case e.path != nil:
		return e.path.Get(input, ctx)
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		v, err := a.eval(input, ctx)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	switch e.fn {
	case "States.Array":
		return args, nil
	case "States.Format":
		return format(args)
	case "States.JsonToString":
		b, err := json.Marshal(args[0])
		return string(b), err
	case "States.StringToJson":
		s, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("States.StringToJson: argument is a %s, want a string", kindOf(args[0]))
		}
		return decodeValue([]byte(s))
	}
	return mathAdd(args)
}

func format(args []any) (any, error) {
	tmpl, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("States.Format: template is a %s, want a string", kindOf(args[0]))
	}
	parts := strings.Split(tmpl, "{}")
	if len(parts)-1 != len(args)-1 {
		return nil, fmt.Errorf("States.Format: %d placeholders, %d values", len(parts)-1, len(args)-1)
	}
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(p)
		if i < len(args)-1 {
			switch v := args[i+1].(type) {
			case string:
				b.WriteString(v)
			case map[string]any, []any:
				return nil, fmt.Errorf("States.Format: value %d is a %s, want a string, number, boolean or null", i+1, kindOf(v))
			default:
				x, _ := json.Marshal(v)
				b.Write(x)
			}
		}
	}
	return b.String(), nil
}

func mathAdd(args []any) (any, error) {
	var sum big.Int
	for i, a := range args {
		n, ok := a.(json.Number)
		x, good := new(big.Int).SetString(string(n), 10)
		if !ok || !good {
			return nil, fmt.Errorf("States.MathAdd: argument %d is not an integer", i+1)
		}
		sum.Add(&sum, x)
	}
	return json.Number(sum.String()), nil
}
