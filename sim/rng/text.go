package rng

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// String returns d's text form, which Parse reads back to an equal Dist:
//
//	const(5)  uniform(lo=1,hi=2)  exp(mean=3)  normal(mean=10,sd=2)
//	lognormal(mu=2.3,sigma=0.4)  zipf(s=1.1,n=1000)  empirical(1,2,2.5,7)
//	percentiles(p0=1,p50=10,p90=15,p99=23,p100=40)
func (d Dist) String() string {
	f := formatFloat
	switch d.kind {
	case KindConst:
		return "const(" + f(d.a) + ")"
	case KindUniform:
		return "uniform(lo=" + f(d.a) + ",hi=" + f(d.b) + ")"
	case KindExp:
		return "exp(mean=" + f(d.a) + ")"
	case KindNormal:
		return "normal(mean=" + f(d.a) + ",sd=" + f(d.b) + ")"
	case KindLogNormal:
		return "lognormal(mu=" + f(d.a) + ",sigma=" + f(d.b) + ")"
	case KindZipf:
		return "zipf(s=" + f(d.a) + ",n=" + strconv.Itoa(d.n) + ")"
	case KindEmpirical:
		parts := make([]string, len(d.xs))
		for i, x := range d.xs {
			parts[i] = f(x)
		}
		return "empirical(" + strings.Join(parts, ",") + ")"
	case KindPercentiles:
		parts := make([]string, len(d.xs))
		for i := range d.xs {
			parts[i] = "p" + f(d.ps[i]) + "=" + f(d.xs[i])
		}
		return "percentiles(" + strings.Join(parts, ",") + ")"
	}
	return d.kind.String()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// MustParse is Parse for literals in code and tests; it panics on error.
func MustParse(text string) Dist {
	d, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return d
}

// Parse reads a distribution in the text form String writes. A bare number
// is a constant. Spaces around names, values and commas are ignored.
func Parse(text string) (Dist, error) {
	s := strings.TrimSpace(text)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if err := finite("const", v); err != nil {
			return Dist{}, fmt.Errorf("distribution %q: %w", text, err)
		}
		return Const(v), nil
	}
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return Dist{}, fmt.Errorf("distribution %q: want name(args) or a number, names: %s",
			text, strings.Join(KindNames(), ", "))
	}
	name := strings.TrimSpace(s[:open])
	args, err := parseArgs(s[open+1 : len(s)-1])
	if err != nil {
		return Dist{}, fmt.Errorf("distribution %q: %w", text, err)
	}
	d, err := build(name, args)
	if err != nil {
		return Dist{}, fmt.Errorf("distribution %q: %w", text, err)
	}
	return d, nil
}

type arg struct {
	key string // "" for a positional argument
	val float64
}

func parseArgs(s string) ([]arg, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []arg
	for _, part := range strings.Split(s, ",") {
		var a arg
		v := part
		if eq := strings.IndexByte(part, '='); eq >= 0 {
			a.key = strings.TrimSpace(part[:eq])
			v = part[eq+1:]
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("argument %q: not a number", strings.TrimSpace(part))
		}
		a.val = f
		out = append(out, a)
	}
	return out, nil
}

// named returns the values of keys in order, from key=value or positional
// arguments, and rejects unknown or missing ones.
func named(family string, args []arg, keys ...string) ([]float64, error) {
	if len(args) != len(keys) {
		return nil, fmt.Errorf("%s takes %d arguments (%s), got %d", family, len(keys), strings.Join(keys, ", "), len(args))
	}
	out := make([]float64, len(keys))
	seen := make([]bool, len(keys))
	for i, a := range args {
		j := i
		if a.key != "" {
			j = -1
			for k, key := range keys {
				if key == a.key {
					j = k
				}
			}
			if j < 0 {
				return nil, fmt.Errorf("%s: unknown argument %q, allowed: %s", family, a.key, strings.Join(keys, ", "))
			}
		}
		if seen[j] {
			return nil, fmt.Errorf("%s: argument %q given twice", family, keys[j])
		}
		seen[j] = true
		out[j] = a.val
	}
	return out, nil
}

func build(name string, args []arg) (Dist, error) {
	switch name {
	case "const":
		v, err := named(name, args, "value")
		if err != nil {
			return Dist{}, err
		}
		if err := finite("value", v[0]); err != nil {
			return Dist{}, fmt.Errorf("const: %w", err)
		}
		return Const(v[0]), nil
	case "uniform":
		return build2(name, args, Uniform, "lo", "hi")
	case "exp":
		v, err := named(name, args, "mean")
		if err != nil {
			return Dist{}, err
		}
		return Exponential(v[0])
	case "normal":
		return build2(name, args, Normal, "mean", "sd")
	case "lognormal":
		return build2(name, args, LogNormal, "mu", "sigma")
	case "zipf":
		v, err := named(name, args, "s", "n")
		if err != nil {
			return Dist{}, err
		}
		if v[1] != float64(int(v[1])) {
			return Dist{}, fmt.Errorf("zipf: n must be a whole number, got %g", v[1])
		}
		return Zipf(v[0], int(v[1]))
	case "empirical":
		xs := make([]float64, len(args))
		for i, a := range args {
			if a.key != "" {
				return Dist{}, fmt.Errorf("empirical: takes plain samples, got %s=", a.key)
			}
			xs[i] = a.val
		}
		return Empirical(xs)
	case "percentiles":
		return buildPercentiles(args)
	}
	return Dist{}, fmt.Errorf("unknown distribution %q, allowed: %s", name, strings.Join(KindNames(), ", "))
}

func build2(name string, args []arg, f func(a, b float64) (Dist, error), k1, k2 string) (Dist, error) {
	v, err := named(name, args, k1, k2)
	if err != nil {
		return Dist{}, err
	}
	return f(v[0], v[1])
}

func buildPercentiles(args []arg) (Dist, error) {
	pts := make([]Percentile, len(args))
	for i, a := range args {
		if !strings.HasPrefix(a.key, "p") {
			return Dist{}, fmt.Errorf("percentiles: argument %d must be pNN=value (e.g. p99=23)", i)
		}
		p, err := strconv.ParseFloat(a.key[1:], 64)
		if err != nil {
			return Dist{}, fmt.Errorf("percentiles: argument %q: want pNN with NN a number in [0, 100]", a.key)
		}
		pts[i] = Percentile{P: p, V: a.val}
	}
	return Percentiles(pts)
}

// MarshalText writes d's text form.
func (d Dist) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses d's text form.
func (d *Dist) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes d as a JSON string holding its text form.
func (d Dist) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a JSON string in the text form, or a JSON number
// meaning a constant.
func (d *Dist) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("distribution: %w", err)
		}
		return d.UnmarshalText([]byte(s))
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("distribution: want a string such as \"exp(mean=3)\" or a number, got %s", b)
	}
	*d = Const(v)
	return nil
}
