package sim

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/sim/trace"
)

// NodeID names a simulated node; CoreID an engine core placed on one.
type (
	NodeID int
	CoreID int
)

// Config configures a Driver.
type Config struct {
	// Seed is the root of every random choice the driver makes.
	Seed uint64
	// Models are the latency, cap, CPU and network models (nil: all zero).
	Models *ModelSet
	// Stores is the shared cloud storage every request is applied to.
	Stores *port.Stores
	// Middleware decorates every request where it is applied, the first
	// outermost (port.Chain): at its completion, or at a crash that
	// applies it. A meter and a fault injector go here.
	Middleware []port.Middleware
	// Trace receives the canonical trace (nil: hash only).
	Trace *trace.Tracer
	// OnResponse receives each port.Response after the network delay from
	// the core's node to the client (nil: responses are only traced).
	OnResponse func(now port.Time, core CoreID, r port.Response)
	// StreamHold, if positive, holds a stream read that finds nothing until
	// an append to its partition completes, for at most this long (see
	// longpoll.go); 0 answers it empty at once.
	StreamHold port.Time
	// LatencyHook, if set, may change each request's sampled latency (a
	// fault plan's latency multipliers and stream delays come through it).
	LatencyHook func(kind string, latency port.Time) port.Time
	// CrashApplyPercent is the chance (0..100) that a request in flight when
	// its node crashes is applied anyway; -1 means 0, and 0 means the
	// default of 50.
	CrashApplyPercent int
	// WrapCore, if set, wraps every core the driver makes (at each boot),
	// e.g. to measure the real cost of its steps; the wrapper must pass
	// every call through unchanged.
	WrapCore func(name string, c port.Core) port.Core
}

// Violation is a broken ordering mark: a request with Needs was issued
// before any completed request had made Needs.Log durable up to Needs.Pos.
type Violation struct {
	At      port.Time
	Core    string
	Request port.RequestID
	Kind    string
	Needs   port.Mark
	Durable int64 // highest completed Makes.Pos on Needs.Log, -1 if none
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s: request %d (%s) needs %s but %s is durable only to %d",
		trace.AppendTime(nil, v.At), v.Core, v.Request, v.Kind, v.Needs, v.Needs.Log, v.Durable)
}

// Stats counts what a Driver did.
type Stats struct {
	Steps, Turns, Requests, Completions, Timers, Activities, Responses uint64
	Crashes, Restarts, CrashApplied, CrashDropped, Dropped             uint64
}

// Driver runs engine cores (port.Core) on simulated nodes in virtual time.
//
// A core's inputs queue in an inbox. When the core is idle, the driver takes
// a CPU core of the node (FIFO among all work of that node), Steps every
// queued input at the time the CPU core starts, collects Ready (copied, then
// Advance), and charges the turn's cost: per input by port.InputKind, plus
// per port.Work unit by kind (N × one sample). Outputs are released when the
// turn's CPU time ends: requests are issued to storage, timers set,
// activities started on the node's CPU, responses sent to the client.
//
// Requests: throughput caps delay the start, the op kind's latency model
// (base + per byte) gives the duration, and the op is applied to the shared
// Stores at completion time, just before the Completion is delivered.
// Completion order is FIFO per core per object: per Op.Target, or per op
// kind when the op names no target. A completed request's Makes mark becomes
// durable; a request whose Needs mark is not yet durable when issued is
// recorded as a Violation (and still issued).
//
// Crash: the node's cores lose everything volatile (inbox, pending outputs,
// timers, running activities, queued CPU work) and are never stepped again;
// each request in flight is applied or dropped by a seeded coin (acknowledged
// requests were already applied). Restart makes fresh cores with the core
// factory and feeds them port.Started.
//
// Tests and fault runners may watch completions (OnCompletion: a hook sees
// each completion after its op is applied and before its core does, and
// may crash the node there) and list what a crash would cut (InFlight).
type Driver struct {
	k          *Kernel
	cfg        Config
	models     *ModelSet
	costs      *costTable
	host       hostKinds
	throttle   *throttle
	root       *rng.Source
	latency    map[string]*rng.Source
	kinds      map[string]*kindInfo // kindOf's cache
	network    *rng.Source
	tr         *trace.Tracer
	ctx        context.Context
	exec       port.Exec // Stores behind Middleware
	nodes      []*node
	cores      []*coreRun
	marks      port.MarkBook
	held       map[int][]*heldRead // stream reads held for an append, by partition
	violations []Violation
	stats      Stats
	crashH     HandlerFunc
	restartH   HandlerFunc
	onComplete []CompletionHook
	onHealth   []HealthHook
	services   []*Service

	// Free lists of event values that only their own event holds, reused
	// once it has fired (fewer allocations, the same behaviour).
	freeInputs []*inputEv
	freeReqs   []*request
}

// HealthHook sees every health report a core makes (port.Ready's Health),
// at the end of the turn that made it, as engine/host's OnHealth does
// for the real driver: a deployment fails the calls waiting for a unit
// that failed for good.
type HealthHook func(now port.Time, core CoreID, h port.Health)

// CompletionHook sees a storage completion just before its core does: the
// op has been applied to the stores (and its Makes mark made durable, if it
// succeeded). A hook may crash the core's node (Driver.Crash); the core then
// never sees the completion, which is how a test crashes a node at a
// precise protocol point ("right after the 3rd log write is durable, before
// the partition learns it").
type CompletionHook func(now port.Time, core CoreID, op port.Op, err error)

type node struct {
	id    NodeID
	name  string
	cpu   *CPU
	up    bool
	cores []*coreRun
	cost  *rng.Source
	crash *rng.Source
	life  uint64 // increases at each crash
	// load marks a node outside the system under test (AddLoadNode): its
	// turns cost no CPU time.
	load bool

	workerBusy port.Time        // CPU time of worker items run on the host's threads
	actSlots   int              // activity slots of the host (0: unlimited)
	actRunning int              // activities holding a slot
	actQueue   []queuedActivity // activities waiting for a slot, in arrival order
	slotBusy   port.Time        // slot time of the activities that ended
}

// NewDriver returns a driver scheduling on k.
func NewDriver(k *Kernel, cfg Config) *Driver {
	m := cfg.Models
	if m == nil {
		m = &ModelSet{Name: "zero"}
	}
	if cfg.Stores == nil {
		cfg.Stores = &port.Stores{}
	}
	tr := cfg.Trace
	if tr == nil {
		tr = trace.New(nil)
	}
	root := rng.New(cfg.Seed)
	d := &Driver{
		k: k, cfg: cfg, models: m, costs: newCostTable(m.CPU), host: newHostKinds(m.Host), throttle: newThrottle(m.Caps),
		root: root, latency: map[string]*rng.Source{}, network: root.Fork("network"),
		tr: tr, ctx: context.Background(), held: map[int][]*heldRead{},
	}
	d.exec = port.Chain(cfg.Stores, cfg.Middleware...)
	d.crashH = func(now port.Time, data uint64) { d.Crash(NodeID(data)) }
	d.restartH = func(now port.Time, data uint64) { d.Restart(NodeID(data)) }
	return d
}

// Models returns the driver's model set (deployments read their
// services' entries, ModelSet.ServiceMs).
func (d *Driver) Models() *ModelSet { return d.models }

// Kernel returns the driver's kernel.
func (d *Driver) Kernel() *Kernel { return d.k }

// Trace returns the tracer (its Hash identifies the run).
func (d *Driver) Trace() *trace.Tracer { return d.tr }

// Violations returns the ordering-mark violations seen so far, in order.
func (d *Driver) Violations() []Violation { return append([]Violation(nil), d.violations...) }

// Stats returns counters of what the driver did.
func (d *Driver) Stats() Stats { return d.stats }

// Durable returns the highest completed Makes position on log.
func (d *Driver) Durable(log string) (int64, bool) { return d.marks.Durable(log) }

// AddNode adds a node with cores CPU cores; it starts up. The name is used
// in traces and to name its random substreams.
func (d *Driver) AddNode(name string, cores int) NodeID {
	n := &node{
		id: NodeID(len(d.nodes)), name: name, cpu: NewCPU(cores), up: true,
		cost: d.root.Fork("cpu/" + name), crash: d.root.Fork("crash/" + name),
		actSlots: d.models.Host.ActivitySlotsPerCore * max(cores, 1),
	}
	n.cpu.SetMaxDefer(msToTime(d.models.Host.BackgroundDeferMs))
	d.nodes = append(d.nodes, n)
	d.tr.Begin(d.k.Now(), name, "node-add").Int("cores", int64(n.cpu.Cores())).End()
	return n.id
}

// AddLoadNode adds a node outside the system under test: the load
// generator and the clients that start instances and wait for them. Its
// CPU is not modelled (its cores' turns take no virtual time), so what
// bounds a run is the system's resources, as when the paper timed its runs
// from the instances' own records with a separate load generator. Its
// network delays and storage requests are modelled as any node's.
func (d *Driver) AddLoadNode(name string) NodeID {
	id := d.AddNode(name, 1)
	d.nodes[id].load = true
	return id
}

// NodeCPU returns a node's CPU model (for busy-time metrics).
func (d *Driver) NodeCPU(id NodeID) *CPU { return d.nodes[id].cpu }

// NodeUp reports whether a node is running.
func (d *Driver) NodeUp(id NodeID) bool { return d.nodes[id].up }

// AddCore places an engine core on a node. factory makes the core now and
// again after every restart; each new core is stepped with port.Started
// at once (now, if the node is up).
func (d *Driver) AddCore(n NodeID, name string, factory func() port.Core) CoreID {
	nd := d.nodes[n]
	cr := &coreRun{d: d, id: CoreID(len(d.cores)), name: nd.name + "/" + name, node: nd, factory: factory}
	d.cores = append(d.cores, cr)
	nd.cores = append(nd.cores, cr)
	if nd.up {
		cr.boot()
	}
	return cr.id
}

// PoolInputs makes core id's input steps (storage completions, timers,
// client calls) run on the node's thread pool, like the host's worker
// items, instead of on one thread of the core's own: a turn's input CPU
// goes onto the node's cores, one item per input, in parallel with other
// turns', and the turn's outputs wait for it. It models an engine whose
// I/O continuations are .NET tasks on the thread pool (DTFx's Azure
// Storage provider: every storage call is awaited and continues on any
// pool thread), not a single sequencer (a Netherite partition). The
// core's steps stay one at a time and in order; only where their CPU runs
// changes.
func (d *Driver) PoolInputs(id CoreID) { d.cores[id].pooled = true }

// Core returns the live core of id (nil while its node is down), e.g. for
// checkers that inspect engine state.
func (d *Driver) Core(id CoreID) port.Core { return d.cores[id].core }

// CoreNode returns the node a core is placed on.
func (d *Driver) CoreNode(id CoreID) NodeID { return d.cores[id].node.id }

// NodeName returns a node's name (as given to AddNode).
func (d *Driver) NodeName(id NodeID) string { return d.nodes[id].name }

// InFlight is a storage request issued and not yet completed.
type InFlight struct {
	Core   CoreID
	Kind   string
	Target string
}

// InFlight lists the requests in flight of a node's cores, by core then in
// issue order: what a crash of the node now would cut.
func (d *Driver) InFlight(n NodeID) []InFlight {
	var out []InFlight
	for _, cr := range d.nodes[n].cores {
		for r := cr.inflight.head; r != nil; r = r.next {
			out = append(out, InFlight{Core: cr.id, Kind: r.kind, Target: r.target})
		}
	}
	return out
}

// OnCompletion adds a hook that sees every storage completion before its
// core (hooks run in the order added; see CompletionHook).
func (d *Driver) OnCompletion(h CompletionHook) { d.onComplete = append(d.onComplete, h) }

// OnHealth adds a hook that sees every health report (see HealthHook).
func (d *Driver) OnHealth(h HealthHook) { d.onHealth = append(d.onHealth, h) }

// completed runs the completion hooks for one completion of core cr.
func (d *Driver) completed(now port.Time, cr *coreRun, op port.Op, err error) {
	for _, h := range d.onComplete {
		h(now, cr.id, op, err)
	}
}

// CoreName returns the trace name of a core ("node/name").
func (d *Driver) CoreName(id CoreID) string { return d.cores[id].name }

// Deliver feeds input in to a core at virtual time at (no network delay;
// a time in the past means now).
// Inputs for a core whose node is down when they arrive are dropped.
func (d *Driver) Deliver(at port.Time, id CoreID, in port.Input) {
	cr := d.cores[id]
	d.k.Schedule(d.notPast(at), d.newInputEv(cr, in, 0, true), 0)
}

// Call sends a client call that leaves the client at virtual time at and
// reaches the core after the network's remote delay.
func (d *Driver) Call(at port.Time, id CoreID, call port.ClientCall) {
	d.Deliver(d.notPast(at)+d.models.Network.Delay(d.network, false), id, call)
}

// CrashAt crashes a node at virtual time at.
func (d *Driver) CrashAt(at port.Time, n NodeID) { d.k.Schedule(d.notPast(at), d.crashH, uint64(n)) }

// RestartAt restarts a node at virtual time at.
func (d *Driver) RestartAt(at port.Time, n NodeID) {
	d.k.Schedule(d.notPast(at), d.restartH, uint64(n))
}

// notPast moves a time in the past to now: injections never go back in time.
func (d *Driver) notPast(at port.Time) port.Time {
	if now := d.k.Now(); at < now {
		return now
	}
	return at
}

// Run runs until no event is pending and returns the number of events fired.
func (d *Driver) Run() int { return d.k.Run() }

// RunUntil runs every event due at or before t.
func (d *Driver) RunUntil(t port.Time) int { return d.k.RunUntil(t) }

// Crash crashes a node now. Crashing a down node does nothing.
func (d *Driver) Crash(n NodeID) {
	nd := d.nodes[n]
	if !nd.up {
		return
	}
	now := d.k.Now()
	nd.up = false
	d.stats.Crashes++
	d.tr.Event(now, nd.name, "crash")
	for _, cr := range nd.cores {
		cr.crash(now)
	}
	nd.cpu.Reset(now)
	nd.life++
	nd.actRunning = 0
	clear(nd.actQueue)
	nd.actQueue = nd.actQueue[:0]
}

// Restart restarts a crashed node now with fresh cores from the factories.
// Restarting a running node does nothing.
func (d *Driver) Restart(n NodeID) {
	nd := d.nodes[n]
	if nd.up {
		return
	}
	nd.up = true
	d.stats.Restarts++
	d.tr.Event(d.k.Now(), nd.name, "restart")
	for _, cr := range nd.cores {
		cr.boot()
	}
}

func (d *Driver) crashApplyPercent() int {
	switch p := d.cfg.CrashApplyPercent; {
	case p == 0:
		return 50
	case p < 0:
		return 0
	case p > 100:
		return 100
	default:
		return p
	}
}

// kindInfo is what the driver looks up per op kind for every request: its
// latency model and random source and the service serving it (nil: none),
// found once per kind (kindOf) rather than by three lookups per request.
type kindInfo struct {
	op    OpModel
	src   *rng.Source
	svc   *Service
	order *object // the order object of its requests that name no target
}

// kindOf returns kind's kindInfo; adding a service forgets them all.
func (d *Driver) kindOf(kind string) *kindInfo {
	if ki, ok := d.kinds[kind]; ok {
		return ki
	}
	ki := &kindInfo{op: d.models.Op(kind), src: d.latencySource(kind), svc: d.serviceOf(kind),
		order: d.throttle.object(orderKey(kind, ""))}
	if d.kinds == nil {
		d.kinds = map[string]*kindInfo{}
	}
	d.kinds[kind] = ki
	return ki
}

func (d *Driver) latencySource(kind string) *rng.Source {
	r := d.latency[kind]
	if r == nil {
		r = d.root.Fork("latency/" + kind)
		d.latency[kind] = r
	}
	return r
}

// checkNeeds records a violation if req.Needs is not durable yet.
func (d *Driver) checkNeeds(now port.Time, cr *coreRun, req *port.Request, kind string) {
	if req.Needs.IsZero() {
		return
	}
	ok, have := d.marks.Satisfied(req.Needs)
	if ok {
		return
	}
	d.violations = append(d.violations, Violation{
		At: now, Core: cr.name, Request: req.ID, Kind: kind, Needs: req.Needs, Durable: have,
	})
	d.tr.Begin(now, cr.name, "violation").Uint("id", uint64(req.ID)).
		Str("needs", req.Needs.Log).Int("pos", req.Needs.Pos).Int("durable", have).End()
}

func (d *Driver) makeDurable(m port.Mark) {
	d.marks.Made(m)
}

// orderKey is the per-core FIFO key of an op: its target, else its kind.
func orderKey(kind, target string) string {
	if target != "" {
		return target
	}
	return "kind:" + kind
}

// Send delivers in to a core after the network delay from node from: the
// local delay if the core is on that node, else the remote delay.
func (d *Driver) Send(from NodeID, to CoreID, in port.Input) {
	cr := d.cores[to]
	delay := d.models.Network.Delay(d.network, cr.node.id == from)
	d.Deliver(d.k.Now()+delay, to, in)
}
