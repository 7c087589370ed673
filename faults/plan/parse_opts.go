package plan

import (
	"errors"
	"strconv"
	"strings"
)

// opts are the trailing key=value options and window of a storage or
// stream fault line, in any order, each at most once.
type opts struct {
	p, ops    string
	hasP      bool
	hasOps    bool
	window    Window
	hasWindow bool
}

// parseOpts reads t as options; keys lists the keys allowed ("p", "op").
func parseOpts(t []string, keys ...string) (opts, error) {
	var o opts
	allowed := "FROM..TO (e.g. 10s..20s)"
	for _, k := range keys {
		allowed = k + "=..., " + allowed
	}
	for _, s := range t {
		key, val, isKV := strings.Cut(s, "=")
		switch {
		case isKV && key == "p" && contains(keys, "p"):
			if o.hasP {
				return o, bad(s, "p= given twice")
			}
			o.p, o.hasP = val, true
		case isKV && key == "op" && contains(keys, "op"):
			if o.hasOps {
				return o, bad(s, "op= given twice")
			}
			if err := ValidOps(val); err != nil {
				return o, &ParseError{Token: s, Err: err}
			}
			o.ops, o.hasOps = val, true
		case strings.Contains(s, ".."):
			if o.hasWindow {
				return o, bad(s, "window given twice")
			}
			w, err := parseWindow(s)
			if err != nil {
				return o, err
			}
			o.window, o.hasWindow = w, true
		default:
			return o, bad(s, "unknown option; allowed: %s", allowed)
		}
	}
	return o, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func parseWindow(s string) (Window, error) {
	from, to, _ := strings.Cut(s, "..")
	f, err1 := ParseDuration(from)
	t, err2 := ParseDuration(to)
	if err := errors.Join(err1, err2); err != nil {
		return Window{}, bad(s, "window FROM..TO: %v", err)
	}
	if t <= f {
		return Window{}, bad(s, "window FROM..TO needs FROM < TO")
	}
	return Window{From: f, To: t}, nil
}

// prob returns o's probability: p= if given, else def (0: p= required).
func (o opts) prob(def float64) (float64, error) {
	if !o.hasP {
		if def == 0 {
			return 0, &ParseError{Err: errors.New("missing p=PROBABILITY, allowed: (0, 1], e.g. p=0.01")}
		}
		return def, nil
	}
	p, err := strconv.ParseFloat(o.p, 64)
	if err != nil || !(p > 0 && p <= 1) {
		return 0, bad("p="+o.p, "allowed: a probability in (0, 1], e.g. p=0.01")
	}
	return p, nil
}

func (o opts) needOps() error {
	if !o.hasOps {
		return &ParseError{Err: errors.New("missing op=GLOB, allowed: a glob over op kinds, e.g. op=page-write, op=table-*")}
	}
	return nil
}

// parseStorage reads "storage error|error-after p=P op=GLOB [FROM..TO]".
func parseStorage(t []string) (Fault, error) {
	s, err := tok(t, 1, "error or error-after")
	if err != nil {
		return Fault{}, err
	}
	if s != string(StorageError) && s != string(StorageErrorAfter) {
		return Fault{}, bad(s, "allowed: error (before the op is applied), error-after (applied, then an error)")
	}
	o, err := parseOpts(t[2:], "p", "op")
	if err != nil {
		return Fault{}, err
	}
	if err := o.needOps(); err != nil {
		return Fault{}, err
	}
	p, err := o.prob(0)
	if err != nil {
		return Fault{}, err
	}
	return Fault{Kind: Kind(s), P: p, Ops: o.ops, Window: o.window}, nil
}

// parseLatencyThrottle reads "latency xF op=GLOB [p=P] [FROM..TO]" and
// "throttle op=GLOB [p=P] [FROM..TO]".
func parseLatencyThrottle(t []string) (Fault, error) {
	f := Fault{Kind: Kind(t[0])}
	rest := t[1:]
	if f.Kind == Latency {
		s, err := tok(t, 1, "a multiplier (e.g. x20)")
		if err != nil {
			return Fault{}, err
		}
		num, ok := strings.CutPrefix(s, "x")
		x, perr := strconv.ParseFloat(num, 64)
		if !ok || perr != nil || !(x > 1 && x <= MaxFactor) {
			return Fault{}, bad(s, "allowed: a multiplier x1.1..x1000 (e.g. x20)")
		}
		f.Factor, rest = x, t[2:]
	}
	o, err := parseOpts(rest, "op", "p")
	if err != nil {
		return Fault{}, err
	}
	if err := o.needOps(); err != nil {
		return Fault{}, err
	}
	if f.P, err = o.prob(1); err != nil {
		return Fault{}, err
	}
	f.Ops, f.Window = o.ops, o.window
	return f, nil
}

// parseStream reads "duplicate stream p=P [FROM..TO]" and
// "delay stream DUR p=P [FROM..TO]".
func parseStream(t []string) (Fault, error) {
	s, err := tok(t, 1, "stream")
	if err != nil {
		return Fault{}, err
	}
	if s != "stream" {
		return Fault{}, bad(s, "allowed: stream (%s stream ...)", t[0])
	}
	f := Fault{Kind: DuplicateStream}
	rest := t[2:]
	if t[0] == "delay" {
		f.Kind = DelayStream
		d, err := tok(t, 2, "a delay (e.g. 50ms)")
		if err != nil {
			return Fault{}, err
		}
		if f.Delay, err = parseDurationTok(d); err != nil {
			return Fault{}, err
		}
		if f.Delay == 0 {
			return Fault{}, bad(d, "allowed: a positive delay (e.g. 50ms)")
		}
		rest = t[3:]
	}
	o, err := parseOpts(rest, "p")
	if err != nil {
		return Fault{}, err
	}
	if f.P, err = o.prob(0); err != nil {
		return Fault{}, err
	}
	f.Window = o.window
	return f, nil
}

// parseAtCrash reads "torn-tail pN at crash" and "lose-unsynced at crash".
func parseAtCrash(t []string) (Fault, error) {
	f := Fault{Kind: Kind(t[0])}
	i := 1
	if f.Kind == TornTail {
		p, err := partitionTok(t, 1)
		if err != nil {
			return Fault{}, err
		}
		f.Partition, i = p, 2
	}
	for _, want := range []string{"at", "crash"} {
		s, err := tok(t, i, want)
		if err != nil {
			return Fault{}, err
		}
		if s != want {
			return Fault{}, bad(s, "allowed: %s (%s ... at crash)", want, t[0])
		}
		i++
	}
	return f, noMore(t, i)
}
