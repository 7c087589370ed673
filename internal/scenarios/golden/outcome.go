package golden

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/internal/scenarios"
)

// maxListed bounds the re-executed activities named in a summary.
const maxListed = 8

// outcome turns a finished run into the summary and checks the
// expectations.
func (r *run) outcome(res *scenarios.Result) *Outcome {
	o := &Outcome{}
	fail := func(format string, args ...any) { o.Failures = append(o.Failures, fmt.Sprintf(format, args...)) }
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("# outcome of %s (rewrite: go test ./internal/scenarios/golden -update)", r.s.Name)
	line("engine: %s", r.dep.Name())
	line("scenario: %s n=%d spread=%s; seed %d; %d nodes x %d cores", r.s.Scenario, r.s.N, plan.FormatDuration(r.s.Spread),
		r.s.Seed, r.s.Nodes, r.s.Cores)

	right, wrong, missing, digest := r.instances(res)
	line("instances: %d expected, %d completed right, %d wrong, %d unanswered", len(r.sc.Expect), right, len(wrong), missing)
	line("outputs: digest %s", digest)
	once, twice, never := r.calls(res)
	line("calls: %d sent, %d answered once, %d more than once, %d never", len(r.sc.Calls)+len(r.sc.Expect), once, twice, never)
	c := r.counters
	c["completed-right"], c["violations"] = int64(right), int64(len(res.Violations))
	c["crashes"], c["restarts"] = int64(res.Stats.Crashes), int64(res.Stats.Restarts)
	c["crash-applied"], c["crash-dropped"] = int64(res.Stats.CrashApplied), int64(res.Stats.CrashDropped)
	exactly := res.Check(r.sc) == nil && twice == 0 && never == 0 && len(res.Violations) == 0
	if r.tally != nil {
		exactly = r.tallySummary(res, line, fail) && exactly
	}
	for _, k := range plan.Kinds {
		if n := r.inj.Counts().Total(k); n > 0 {
			c["faults."+string(k)] = n
		}
	}
	r.dep.Counters(res.Driver, c)
	for _, e := range r.events {
		line("triggered: %s", e)
	}
	line("counters:")
	for _, k := range slices.Sorted(maps.Keys(c)) {
		line("  %s = %d", k, c[k])
	}
	r.logSummary(line)
	line("end: %s virtual, %d events", fmtTime(res.End), res.Events)
	line("trace: %016x", res.TraceHash)
	o.Summary = b.String()

	for _, tr := range r.s.Triggers {
		if !r.fired(tr) {
			fail("line %d: %s never fired", tr.Line, tr)
		}
	}
	for _, x := range r.s.Expects {
		r.check(x, exactly, res, fail)
	}
	if !exactly && len(wrong) > 0 {
		fail("wrong outcomes: %s", strings.Join(wrong, "; "))
	}
	return o
}

func (r *run) fired(tr Trigger) bool {
	for _, e := range r.events {
		if strings.HasPrefix(e, tr.String()+":") {
			return true
		}
	}
	return false
}

// instances compares each expected instance's final status with its
// expectation and digests the outcomes.
func (r *run) instances(res *scenarios.Result) (right int, wrong []string, missing int, digest string) {
	h := sha256.New()
	for _, x := range r.sc.Expect {
		st, ok := res.Final[x.Instance]
		if !ok {
			missing++
			wrong = append(wrong, x.Instance+": no answer")
			continue
		}
		fmt.Fprintf(h, "%s=%s:%s\n", x.Instance, st.Status, st.Output)
		one := r.sc
		one.Expect = []scenarios.Expect{x}
		if err := res.Check(one); err != nil {
			wrong = append(wrong, err.Error())
			continue
		}
		right++
	}
	return right, wrong, missing, hex.EncodeToString(h.Sum(nil))[:16]
}

// calls counts the answers to each call the scenario sent.
func (r *run) calls(res *scenarios.Result) (once, more, never int) {
	n := len(r.sc.Calls) + len(r.sc.Expect)
	answers := make([]int, n+1)
	for _, x := range res.Responses {
		if x.Call >= 1 && x.Call <= n {
			answers[x.Call]++
		}
	}
	for _, a := range answers[1:] {
		switch {
		case a == 1:
			once++
		case a > 1:
			more++
		default:
			never++
		}
	}
	return once, more, never
}

// tallySummary reports the Tally entity's marks and the activity runs; it
// reports whether every instance was marked once and every activity ran.
func (r *run) tallySummary(res *scenarios.Result, line func(string, ...any), fail func(string, ...any)) bool {
	marks, err := r.tallyMarks(res)
	if err != nil {
		fail("reading the tally: %v", err)
		return false
	}
	var once, more, never int
	for _, x := range r.sc.Expect {
		switch n := marks[x.Instance]; {
		case n == 1:
			once++
		case n > 1:
			more++
		default:
			never++
		}
	}
	line("tally: %d marked once, %d more than once, %d never", once, more, never)
	runs, distinct := r.tally.Runs()
	again := r.tally.Reexecuted()
	r.counters["activity-executions"], r.counters["activities-reexecuted"] = int64(runs), int64(len(again))
	listed := again
	if len(listed) > maxListed {
		listed = append(listed[:maxListed:maxListed], "...")
	}
	line("activities: %d tasks ran, %d executions; run more than once: %s", distinct, runs, orNone(listed))
	return more == 0 && never == 0 && distinct == len(r.sc.Expect)*scenarios.TallySteps
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// logSummary lists the engine's and the glue's log lines, counting the
// retried stream appends instead of listing them.
func (r *run) logSummary(line func(string, ...any)) {
	line("log:")
	retries := 0
	for _, l := range r.logs {
		if strings.HasSuffix(l, "(retrying)") {
			retries++
			continue
		}
		line("  %s", l)
	}
	if retries > 0 {
		line("  (%d retried appends not listed)", retries)
	}
}

// check evaluates one expectation.
func (r *run) check(x Expect, exactly bool, res *scenarios.Result, fail func(string, ...any)) {
	switch x.Kind {
	case "exactly-once":
		if !exactly {
			fail("line %d: expect exactly-once: not every orchestration completed exactly once with the right output "+
				"(or a call was not answered exactly once, or %d persist-before-send violations)", x.Line, len(res.Violations))
		}
	case "log", "no-log", "log-match":
		found := false
		for _, l := range r.logs {
			if (x.re != nil && x.re.MatchString(l)) || (x.re == nil && strings.Contains(l, x.Text)) {
				found = true
				break
			}
		}
		if found != (x.Kind != "no-log") {
			fail("line %d: expect %s %q: %s", x.Line, x.Kind, x.Text, map[bool]string{true: "found", false: "not found"}[found])
		}
	case "counter":
		v, ok := r.counters[x.Counter]
		if !ok && !strings.Contains(x.Counter, ".") {
			fail("line %d: counter %q: allowed: %s", x.Line, x.Counter, strings.Join(slices.Sorted(maps.Keys(r.counters)), ", "))
			return
		}
		if !compare(v, x.Op, x.Value) {
			fail("line %d: expect %s %s %d: it is %d", x.Line, x.Counter, x.Op, x.Value, v)
		}
	}
}

func compare(v int64, op string, want int64) bool {
	switch op {
	case "==":
		return v == want
	case ">=":
		return v >= want
	case "<=":
		return v <= want
	case ">":
		return v > want
	default:
		return v < want
	}
}
