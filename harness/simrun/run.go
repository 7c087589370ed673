package simrun

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/sim/trace"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/workloads/workload"
)

// Run-loop constants: how often completion is checked (and entity
// completions polled), and how long the reads after a run (the oracle's
// entity states, a stuck instance's status) may take. How long the run
// itself may take is the spec's load.timeLimit.
const (
	stepTime   = 50 * port.Millisecond
	pollFirst  = 200 * port.Millisecond // first interval between polls of a done-entity
	pollMax    = 5 * port.Second        // intervals grow by half up to this
	readBudget = 10 * 60 * port.Second
	streamHold = port.Second // longest wait of an empty stream read (sim.Config.StreamHold)
)

// Run runs one repetition of a resolved spec on the simulator with seed
// and returns its metrics (virtual clock). progress, if set, is told the
// number of events processed so far.
func Run(ctx context.Context, s spec.Spec, seed uint64, progress func(int64)) (metrics.Set, error) {
	out, err := RunWith(ctx, s, seed, Options{Progress: progress})
	return out.Metrics, err
}

// RunWith is Run with a campaign's options; it returns the metrics with
// the trace hash and the injected faults' counts. A run that a checker
// fails returns a *CheckError.
func RunWith(ctx context.Context, s spec.Spec, seed uint64, opts Options) (Outcome, error) {
	set, err := newRun(s, seed, opts)
	if err != nil {
		return Outcome{}, err
	}
	return set.execute(ctx)
}

// Check validates a resolved spec for the sim runner exactly as a run
// does before its first event: the workload and its parameters, the model
// set, the load, the engine's knobs and deployment, and the fault plan
// with its targets (seed 1). dflab spec and dflab run both call it, through
// harness.Check, so a spec one accepts the other does not reject.
func Check(s spec.Spec, opts Options) error {
	r, err := newRun(s, spec.DefaultSeed, opts)
	if err != nil {
		return err
	}
	return r.deploy()
}

// newRun prepares one repetition: the workload, its arrivals from the
// seed, the model set and the engine's deployment.
func newRun(s spec.Spec, seed uint64, opts Options) (*run, error) {
	if s.Backend.Kind != spec.BackendSim {
		return nil, fmt.Errorf("spec.backend.kind = %q: the sim runner runs only %q", s.Backend.Kind, spec.BackendSim)
	}
	w, err := opts.workloadsOf().New(s.Workload.Name, s.Workload.Params)
	if err != nil {
		return nil, fmt.Errorf("spec.workload: %w", err)
	}
	models, err := modelsFor(s.Backend.Models, s.Engine.Name, opts.Models, w.Cost())
	if err != nil {
		return nil, err
	}
	load, err := s.Load.Workload()
	if err != nil {
		return nil, err
	}
	root := rng.New(seed)
	arrivals, err := workload.Generate(w, load, root.Fork("workload"))
	if err != nil {
		return nil, fmt.Errorf("spec.load: %w", err)
	}
	if len(arrivals) == 0 {
		return nil, fmt.Errorf("spec.load: no instance starts")
	}
	r := &run{spec: s, w: w, arrivals: arrivals, followUps: map[int][]durable.ClientRequest{}, models: models, seed: seed, root: root, opts: opts}
	if r.eng, err = deploymentOf(opts.systemsOf(), s.Engine, seed, opts.Planted, r.logf); err != nil {
		return nil, err
	}
	return r, nil
}

// run is one simulation in progress.
type run struct {
	spec     spec.Spec
	w        workload.Workload
	arrivals []workload.Arrival
	// followUps are the requests of each instance after its start, not
	// sent yet (followUp).
	followUps map[int][]durable.ClientRequest
	eng       systems.Deployment
	models    *sim.ModelSet
	seed      uint64
	root      *rng.Source
	opts      Options

	k      *sim.Kernel
	d      *sim.Driver
	meter  *meter.Meter
	nodes  []sim.NodeID
	client sim.CoreID
	inj    *inject.Injector
	plan   *plan.Plan // the spec's fault plan (nil: none)
	tr     *tracker
	store  *mem.Store
	logs   []string // the engine's latest notable events (lease loss, a full log...)
	stops  []string // the engine's first fatal errors
}

// maxLogs bounds the engine log lines a run keeps: the latest ones, which
// say why a run stalled.
const maxLogs = 5

func (r *run) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if r.opts.Log != nil {
		r.opts.Log(line)
	}
	if strings.Contains(line, "stopped:") && len(r.stops) < maxLogs {
		r.stops = append(r.stops, line) // the first fatal errors say most
	}
	r.logs = append(r.logs, line)
	if len(r.logs) > maxLogs {
		r.logs = r.logs[len(r.logs)-maxLogs:]
	}
}

func (r *run) execute(ctx context.Context) (Outcome, error) {
	if err := r.deploy(); err != nil {
		return Outcome{}, err
	}
	out, err := r.check(ctx)
	out.TraceHash = r.d.Trace().HashString()
	if r.inj != nil {
		out.Faults = r.inj.Counts()
	}
	return out, err
}

// check runs the simulation and every checker.
func (r *run) check(ctx context.Context) (Outcome, error) {
	end, events, err := r.loop(ctx, r.opts.Progress)
	out := Outcome{Events: events}
	if err == nil {
		err = r.checkOrdering()
	}
	if err != nil {
		if len(r.stops) > 0 {
			err = fmt.Errorf("%w; the engine's first fatal errors: %s", err, strings.Join(r.stops, " | "))
		}
		if len(r.logs) > 0 {
			err = fmt.Errorf("%w; the engine's last log lines: %s", err, strings.Join(r.logs, " | "))
		}
		return out, err
	}
	// Measure first: the oracle's entity reads come after the measured
	// interval and must not count as the workload's traffic.
	if out.Metrics, err = r.metrics(end, events, nil); err != nil {
		return out, err
	}
	if r.opts.Settle > 0 {
		end += r.opts.Settle
		out.Events += int64(r.d.RunUntil(end))
	}
	entities, err := r.collectEntities(end)
	if err != nil {
		return out, err
	}
	note, err := r.oracle(entities)
	if err != nil {
		return out, err
	}
	if r.opts.ReplayCheck {
		if err := r.checkReplay(); err != nil {
			return out, err
		}
	}
	out.Metrics.Notes = append(out.Metrics.Notes, note)
	return out, nil
}

// deploy builds the kernel, the metered (and fault-injected) store, the
// driver, the nodes and the engine's cores.
func (r *run) deploy() error {
	reg := durable.NewRegistry()
	if err := r.w.Register(reg); err != nil {
		return fmt.Errorf("%s: register: %w", r.w.Name(), err)
	}
	if r.spec.Load.Launchers > 0 {
		if err := reg.AddEntity(LauncherEntity, launcher); err != nil {
			return fmt.Errorf("spec.load.launchers: %w", err)
		}
	}
	r.k = sim.NewKernel(0)
	store, err := mem.New(r.k.Now, mem.Options{Partitions: r.eng.StreamPartitions(), DiskLike: r.spec.Backend.DiskLike})
	if err != nil {
		return err
	}
	r.store = store
	r.meter = meter.New()
	// Empty stream reads wait for an append, as Event Hubs receivers (and
	// the real driver) do, instead of polling.
	cfg := sim.Config{Seed: r.root.Fork("driver").Uint64(), Models: r.models, WrapCore: r.opts.WrapCore, StreamHold: streamHold,
		Stores: store.Stores(), Middleware: []port.Middleware{r.meter.Middleware}}
	if r.opts.Trace != nil {
		cfg.Trace = trace.New(r.opts.Trace)
	}
	if strings.TrimSpace(r.spec.Faults) != "" {
		p, err := plan.Parse(r.spec.Faults)
		if err != nil {
			return fmt.Errorf("spec.faults: %w", err)
		}
		r.plan = p
		if r.inj, err = inject.New(inject.Config{Plan: p, Clock: r.k.Now, Rand: r.root.Fork("faults")}); err != nil {
			return fmt.Errorf("spec.faults: %w", err)
		}
		// Outermost: a request the plan fails never reaches the meter.
		cfg.Middleware = append([]port.Middleware{r.inj.Middleware}, cfg.Middleware...)
		cfg.LatencyHook = r.inj.Latency
	}
	r.tr = newTracker(r.w, r.arrivals)
	r.tr.latencyEnd = r.spec.Load.LatencyEnd
	cfg.OnResponse = func(now port.Time, _ sim.CoreID, resp port.Response) { r.tr.respond(r, now, resp) }
	r.d = sim.NewDriver(r.k, cfg)
	names := map[string]sim.NodeID{}
	for i := range r.spec.Cluster.Nodes {
		name := fmt.Sprintf("node%d", i)
		id := r.d.AddNode(name, r.spec.Cluster.Cores)
		r.nodes, names[name] = append(r.nodes, id), id
	}
	if r.client, err = r.eng.Deploy(r.d, r.nodes, reg); err != nil {
		return fmt.Errorf("deploy %s: %w", r.spec.Engine.Name, err)
	}
	if r.inj != nil {
		if err := r.inj.Schedule(inject.SimScheduler(r.k), r.target(names)); err != nil {
			return fmt.Errorf("spec.faults: %w", err)
		}
	}
	r.healPhase()
	arrivals := r.arrivals
	if per := r.spec.Load.Launchers; per > 0 && !r.tr.byEntity {
		signals, batches, rest, err := launchCalls(arrivals, per)
		if err != nil {
			return err
		}
		for i, a := range signals {
			r.d.Call(port.Time(a.At), r.client, port.ClientCall{ID: r.tr.call(callInfo{instance: batches[i].instances[0], batch: &batches[i]}), Req: a.Req})
		}
		arrivals = rest
	}
	started := map[int]bool{}
	for _, a := range arrivals {
		if started[a.Instance] {
			// A request after its instance's start goes out once the one
			// before it is answered, as a real client sends them (realrun).
			r.followUps[a.Instance] = append(r.followUps[a.Instance], a.Req)
			continue
		}
		info := callInfo{instance: a.Instance}
		if a.Req.Kind == durable.RequestStart {
			started[a.Instance], info.chained = true, true
			if !r.tr.byEntity {
				info.startOf = a.Req.Instance
			}
		}
		r.d.Call(port.Time(a.At), r.client, port.ClientCall{ID: r.tr.call(info), Req: a.Req})
	}
	return nil
}

// followUp sends instance i's next request after its start, if any.
func (r *run) followUp(at port.Time, i int) {
	reqs := r.followUps[i]
	if len(reqs) == 0 {
		return
	}
	r.followUps[i] = reqs[1:]
	r.d.Call(at, r.client, port.ClientCall{ID: r.tr.call(callInfo{instance: i, chained: true}), Req: reqs[0]})
}

// wait sends a RequestWait for orchestration id of instance i.
func (r *run) wait(at port.Time, i int, id string) {
	c := r.tr.call(callInfo{instance: i, wait: id})
	r.d.Call(at, r.client, port.ClientCall{ID: c, Req: durable.ClientRequest{Kind: durable.RequestWait, Instance: id}})
}

// loop runs the kernel in steps until every instance is done, the budget
// is spent (an error) or ctx is cancelled; it returns the virtual end.
func (r *run) loop(ctx context.Context, progress func(int64)) (port.Time, int64, error) {
	budget := r.budget()
	var events int64
	for t := stepTime; ; t += stepTime {
		if err := ctx.Err(); err != nil {
			return 0, events, err
		}
		events += int64(r.d.RunUntil(t))
		if progress != nil {
			progress(events)
		}
		if r.tr.allDone() {
			return t, events, nil
		}
		if t >= budget {
			stuck, n := r.stuck(t)
			events += n
			return 0, events, failed(CheckCompletion, fmt.Errorf("%d of %d instances not done by %v virtual (spec.load.timeLimit %s after the last start; %d done-entity polls failed); stuck: %s",
				r.tr.instances-len(r.tr.done), r.tr.instances, time.Duration(budget), r.spec.Load.TimeLimit, r.tr.pollErrs, stuck))
		}
		if r.tr.byEntity {
			r.poll(t)
		}
	}
}

// poll asks for the done-entity of every started, unfinished instance that
// has no poll outstanding.
func (r *run) poll(now port.Time) {
	ec := r.w.(workload.EntityCompletion)
	for _, i := range r.tr.order {
		if _, done := r.tr.done[i]; done || r.tr.polling[i] || port.Time(r.tr.start[i]) > now || r.tr.nextPoll[i] > now {
			continue
		}
		gap := r.tr.pollGap[i]
		gap = min(max(pollFirst, gap*3/2), pollMax)
		r.tr.pollGap[i], r.tr.nextPoll[i] = gap, now+gap
		id, _ := ec.DoneEntity(i)
		r.tr.polling[i] = true
		c := r.tr.call(callInfo{instance: i, poll: true})
		r.d.Call(now, r.client, port.ClientCall{ID: c, Req: durable.ClientRequest{Kind: durable.RequestStatus, Instance: id.String()}})
	}
}

// oracle checks the run with the workload's oracle, or says why not.
func (r *run) oracle(entities map[string][]byte) (string, error) {
	if r.tr.err != nil {
		return "", r.tr.err
	}
	if entities == nil {
		entities = map[string][]byte{}
	}
	run := workload.Run{Arrivals: r.arrivals, Orchestrations: r.tr.outcomes, Entities: entities}
	if err := r.w.Check(run); err != nil {
		return "", failed(string(workload.KindOf(err)), fmt.Errorf("oracle: %w", err))
	}
	return fmt.Sprintf("oracle passed (%d orchestrations, %d entity states read)", len(run.Orchestrations), len(entities)), nil
}

// metrics turns what the run observed into a metrics set.
func (r *run) metrics(end port.Time, events int64, notes []string) (metrics.Set, error) {
	rec, err := metrics.NewRecorder(metrics.Virtual, time.Second)
	if err != nil {
		return metrics.Set{}, err
	}
	for _, i := range r.tr.order {
		if r.tr.failed[i] {
			rec.Fail()
			continue
		}
		rec.Complete(r.tr.start[i], time.Duration(r.tr.done[i]))
	}
	u := r.w.Units()
	set, err := rec.Set(u.Name, u.PerInstance)
	if err != nil {
		return metrics.Set{}, err
	}
	snap := r.meter.Snapshot()
	set.Storage = metrics.TrafficOf(snap)
	if set.Recovery, err = Recoveries(r.plan, set.Timeline); err != nil {
		return metrics.Set{}, err
	}
	set.Recovery = append(set.Recovery, r.takeovers()...)
	tuHours := 0.0
	if r.eng.StreamPartitions() > 0 {
		tuHours = time.Duration(end).Hours() // one Event Hubs throughput unit for the run's virtual time
		notes = append(notes, "cost: one Event Hubs throughput unit over the run's virtual time")
	}
	cost, err := metrics.CostOf(meter.AzureListPrices2024, snap, tuHours, set.WorkUnits)
	if err != nil {
		return metrics.Set{}, err
	}
	if ch, ok := r.eng.(systems.Charges); ok {
		addCharges(&cost, ch.Charges(r.d), set.WorkUnits)
		notes = append(notes, "cost: includes the system's own charges at its list price (e.g. state transitions)")
	}
	set.Cost = &cost
	notes = append(notes, "prices: list prices as recorded in backends/meter ("+cost.PriceList+"), not a bill")
	elapsedMs := float64(end) / float64(port.Millisecond)
	for k, n := range r.nodes {
		busy := float64(r.d.NodeCPU(n).Busy()) / float64(port.Millisecond)
		set.CPU = append(set.CPU, metrics.CPUBusy(fmt.Sprintf("node%d", k), r.spec.Cluster.Cores, busy, elapsedMs))
	}
	set.Resources, set.Bound = resources(r.d.Utilisation(end))
	set.Events = events
	set.Models = r.spec.Backend.Models + " (" + r.models.Name + ")"
	sort.Strings(notes)
	set.Notes = notes
	return set, nil
}

// resources returns the busiest resource of each kind, in the order the
// driver lists kinds, and the busiest of all.
func resources(rs []sim.Resource) ([]metrics.Resource, *metrics.Resource) {
	var out []metrics.Resource
	at := map[string]int{}
	for _, x := range rs {
		m := metrics.Resource{Kind: x.Kind, Name: x.Name, Utilisation: x.Utilisation}
		i, seen := at[x.Kind]
		switch {
		case !seen:
			at[x.Kind] = len(out)
			out = append(out, m)
		case m.Utilisation > out[i].Utilisation:
			out[i] = m
		}
	}
	b, ok := sim.Binding(rs)
	if !ok {
		return out, nil
	}
	return out, &metrics.Resource{Kind: b.Kind, Name: b.Name, Utilisation: b.Utilisation}
}

// recoveryFraction is how much of its level before a fault throughput must
// regain for the run to count as recovered.
const recoveryFraction = 0.9

// Recoveries measures, for every timed fault of the plan (crash, restart,
// move, lease loss), the (virtual or wall) time from the fault until throughput is
// back to recoveryFraction of its level before it (faults with no
// baseline or no recovery within the run are left out).
func Recoveries(p *plan.Plan, timeline []metrics.Window) ([]metrics.Recovery, error) {
	if p == nil {
		return nil, nil
	}
	var out []metrics.Recovery
	for _, f := range p.Timed() {
		atMs := float64(f.At) / float64(port.Millisecond)
		rc, ok, err := metrics.RecoveryFromTimeline(f.String(), atMs, timeline, recoveryFraction)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rc)
		}
	}
	return out, nil
}

// addCharges adds a system's own charges to a run's cost.
func addCharges(c *metrics.Cost, charges []systems.Charge, units float64) {
	for _, ch := range charges {
		cl := meter.Class(ch.Class)
		c.Bill.ByClass[cl] += ch.Dollars
		c.Bill.Requests[cl] += ch.Requests
		c.Bill.Dollars += ch.Dollars
	}
	c.Dollars = c.Bill.Dollars
	if units > 0 {
		c.DollarsPer1000Units = c.Dollars / units * 1000
	}
}
