package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/systems"
)

// Scenario is a registry setup, client calls and expected outcomes.
type Scenario struct {
	Name  string
	Setup func(reg *durable.Registry) error
	Calls []Call
	// Expect lists instances and how they must end; the runner waits for
	// each of them (RequestWait) after the last call.
	Expect []Expect
	// Deadline is the virtual time by which every expectation must be met
	// (0: 60 s).
	Deadline port.Time
	// Faults, if set, schedules crashes and restarts on the driver.
	Faults func(d *sim.Driver, nodes []sim.NodeID, store *mem.Store)
	// Answers lists calls whose answers are checked.
	Answers []Answer
}

// Answer is the expected answer to one call.
type Answer struct {
	Call int // 1-based position in Calls
	// Err must occur in the call's error ("": the call must succeed).
	Err string
	// Status, if set, is the status the answer must report; NotFound, if
	// set, says the answer must report the instance unknown.
	Status   durable.Status
	NotFound bool
	// Page, if set, lists the instance ids a query's page must hold, in
	// order (an empty, non-nil list: none); More says it has a
	// continuation token.
	Page []string
	More bool
}

// Call is a client request sent at a virtual time.
type Call struct {
	At  port.Time
	Req durable.ClientRequest
	// StartAfter, for a start, schedules it this long after the call
	// (Req.StartAt, set by the runner from its clock).
	StartAfter port.Time
}

// Expect is an instance's expected final status and output (JSON, compared
// after normalizing; "" skips the output check).
type Expect struct {
	Instance string
	Status   durable.Status
	Output   string
	// FailureContains, if set, must occur in the failure text.
	FailureContains string
	// FailureType, if set, is the type its failure details must name,
	// and InnerType that of their inner failure.
	FailureType, InnerType string
}

// Options shape a run.
type Options struct {
	Seed         uint64
	Nodes        int // default 2
	CoresPerNode int // default 2
	Models       *sim.ModelSet
	// StepMs is the virtual time between completion checks (default 50 ms).
	StepMs int
	// StreamHold is the driver's hold of empty stream reads (default 1 s;
	// negative: off, cores poll).
	StreamHold port.Time
	// Inject, if set, is given the kernel before the driver is made and
	// returns a middleware for the driver's chain and its latency hook (a
	// fault injector's Middleware and Latency; nil hook: none).
	Inject func(k *sim.Kernel) (port.Middleware, func(kind string, lat port.Time) port.Time)
}

// Result is what a run observed.
type Result struct {
	Final      map[string]durable.InstanceStatus // the Wait response per expected instance
	Responses  []Response
	Violations []sim.Violation
	TraceHash  uint64
	Events     int
	Stats      sim.Stats
	End        port.Time // virtual time when the last expectation was met
	Driver     *sim.Driver
	Store      *mem.Store
	Client     sim.CoreID // the core that takes client calls
	calls      int        // calls sent so far (ids 1..calls)
}

// Response is one answered call.
type Response struct {
	At   port.Time
	Call int
	Resp durable.ClientResponse
	Err  error
}

func (o Options) withDefaults() Options {
	if o.Nodes == 0 {
		o.Nodes = 2
	}
	if o.CoresPerNode == 0 {
		o.CoresPerNode = 2
	}
	if o.Models == nil {
		o.Models = sim.DefaultModels()
	}
	if o.StepMs == 0 {
		o.StepMs = 50
	}
	if o.StreamHold == 0 {
		o.StreamHold = port.Second
	}
	return o
}

// Run runs a scenario on an engine and returns what it observed; it fails
// only on setup errors. Check compares the result with the expectations.
func Run(e Engine, sc Scenario, o Options) (*Result, error) {
	o = o.withDefaults()
	reg := durable.NewRegistry()
	if err := sc.Setup(reg); err != nil {
		return nil, fmt.Errorf("scenario %s setup: %w", sc.Name, err)
	}
	k := sim.NewKernel(0)
	store, err := mem.New(k.Now, mem.Options{Partitions: e.StreamPartitions()})
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	res := &Result{Final: map[string]durable.InstanceStatus{}, Store: store}
	waits := map[int]string{}
	var mws []port.Middleware
	var hook func(string, port.Time) port.Time
	if o.Inject != nil {
		var mw port.Middleware
		mw, hook = o.Inject(k)
		mws = append(mws, mw)
	}
	d := sim.NewDriver(k, sim.Config{Seed: o.Seed, Models: o.Models, Stores: store.Stores(), Middleware: mws,
		StreamHold: max(o.StreamHold, 0), LatencyHook: hook,
		OnResponse: func(now port.Time, _ sim.CoreID, r port.Response) {
			if r.ID >= systems.ControlCalls {
				return // the fault glue's own call (a partition Stop)
			}
			resp, _ := r.Resp.(durable.ClientResponse)
			res.Responses = append(res.Responses, Response{At: now, Call: int(r.ID), Resp: resp, Err: r.Err})
			if inst, ok := waits[int(r.ID)]; ok && r.Err == nil {
				res.Final[inst] = resp.Status
			}
		}})
	res.Driver = d
	nodes := make([]sim.NodeID, o.Nodes)
	for i := range nodes {
		nodes[i] = d.AddNode(fmt.Sprintf("node%d", i), o.CoresPerNode)
	}
	client, err := e.Deploy(d, nodes, reg)
	if err != nil {
		return nil, fmt.Errorf("scenario %s deploy %s: %w", sc.Name, e.Name(), err)
	}
	res.Client, res.calls = client, len(sc.Calls)+len(sc.Expect)
	last := port.Time(0)
	for i, c := range sc.Calls {
		if c.StartAfter > 0 {
			c.Req.StartAt = int64(c.At + c.StartAfter)
		}
		d.Call(c.At, client, port.ClientCall{ID: port.CallID(i + 1), Req: c.Req})
		last = max(last, c.At)
	}
	for i, x := range sc.Expect {
		id := len(sc.Calls) + i + 1
		waits[id] = x.Instance
		d.Call(last+port.Millisecond, client, port.ClientCall{ID: port.CallID(id),
			Req: durable.ClientRequest{Kind: durable.RequestWait, Instance: x.Instance}})
	}
	if sc.Faults != nil {
		sc.Faults(d, nodes, store)
	}
	deadline := sc.Deadline
	if deadline == 0 {
		deadline = 60 * port.Second
	}
	step := port.Time(o.StepMs) * port.Millisecond
	for t := step; ; t += step {
		res.Events += d.RunUntil(t)
		if len(res.Final) == len(sc.Expect) || t >= deadline {
			res.End = t
			break
		}
	}
	res.TraceHash = d.Trace().Hash()
	res.Violations = d.Violations()
	res.Stats = d.Stats()
	return res, nil
}

// Ask sends one more client request after the run and runs the simulation
// until it is answered, for at most within of virtual time.
func (r *Result) Ask(req durable.ClientRequest, within port.Time) (durable.ClientResponse, error) {
	r.calls++
	id := port.CallID(r.calls)
	now := r.Driver.Kernel().Now()
	r.Driver.Call(now, r.Client, port.ClientCall{ID: id, Req: req})
	for t := now; t < now+within; {
		t += 10 * port.Millisecond
		r.Driver.RunUntil(t)
		for _, x := range r.Responses {
			if x.Call == int(id) {
				return x.Resp, x.Err
			}
		}
	}
	return durable.ClientResponse{}, fmt.Errorf("%s %s: no answer within %v of virtual time", req.Kind, req.Instance, within)
}

// Check compares a result with the scenario's expectations and returns
// every mismatch in one error.
func (r *Result) Check(sc Scenario) error {
	var bad []string
	for _, x := range sc.Expect {
		st, ok := r.Final[x.Instance]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: no answer to wait by %v", x.Instance, r.End))
			continue
		}
		if st.Status != x.Status {
			bad = append(bad, fmt.Sprintf("%s: status %s, want %s (failure %q)", x.Instance, st.Status, x.Status, st.Failure))
		}
		if x.Output != "" && !sameJSON(st.Output, x.Output) {
			bad = append(bad, fmt.Sprintf("%s: output %s, want %s", x.Instance, st.Output, x.Output))
		}
		if x.FailureContains != "" && !strings.Contains(st.Failure, x.FailureContains) {
			bad = append(bad, fmt.Sprintf("%s: failure %q, want it to contain %q", x.Instance, st.Failure, x.FailureContains))
		}
		if x.FailureType != "" || x.InnerType != "" {
			var typ, inner string
			if d := st.FailureDetails; d != nil {
				typ = d.Type
				if d.Inner != nil {
					inner = d.Inner.Type
				}
			}
			if typ != x.FailureType || inner != x.InnerType {
				bad = append(bad, fmt.Sprintf("%s: failure details of type %q, inner %q; want %q, inner %q", x.Instance, typ, inner, x.FailureType, x.InnerType))
			}
		}
	}
	bad = append(bad, r.checkAnswers(sc)...)
	sort.Strings(bad)
	if len(bad) > 0 {
		return fmt.Errorf("scenario %s: %s", sc.Name, strings.Join(bad, "; "))
	}
	return nil
}

func sameJSON(got []byte, want string) bool {
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return bytes.Equal(got, []byte(want))
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func (r *Result) checkAnswers(sc Scenario) []string {
	var bad []string
	for _, a := range sc.Answers {
		var got *Response
		for i := range r.Responses {
			if r.Responses[i].Call == a.Call {
				got = &r.Responses[i]
			}
		}
		name := fmt.Sprintf("call %d", a.Call)
		if a.Call >= 1 && a.Call <= len(sc.Calls) {
			c := sc.Calls[a.Call-1].Req
			name = fmt.Sprintf("call %d (%s %s)", a.Call, c.Kind, c.Instance)
		}
		switch {
		case got == nil:
			bad = append(bad, name+": no answer")
		case a.Err == "" && got.Err != nil:
			bad = append(bad, fmt.Sprintf("%s: error %q, want none", name, got.Err))
		case a.Err != "" && (got.Err == nil || !strings.Contains(got.Err.Error(), a.Err)):
			bad = append(bad, fmt.Sprintf("%s: error %v, want one containing %q", name, got.Err, a.Err))
		case a.Status != 0 && got.Resp.Status.Status != a.Status:
			bad = append(bad, fmt.Sprintf("%s: status %s, want %s", name, got.Resp.Status.Status, a.Status))
		case a.NotFound && got.Resp.Found:
			bad = append(bad, fmt.Sprintf("%s: found (%s), want unknown", name, got.Resp.Status.Status))
		case a.Page != nil && got.Resp.Page == nil:
			bad = append(bad, name+": no page")
		case a.Page != nil:
			ids := []string{}
			for _, st := range got.Resp.Page.Instances {
				ids = append(ids, st.InstanceID)
			}
			if !slices.Equal(ids, a.Page) || (got.Resp.Page.ContinuationToken != "") != a.More {
				bad = append(bad, fmt.Sprintf("%s: page %v (continuation %q), want %v (more: %v)", name, ids,
					got.Resp.Page.ContinuationToken, a.Page, a.More))
			}
		}
	}
	return bad
}
