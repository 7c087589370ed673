package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
)

// ModelSet is the simulator's model of the world as plain data: storage
// latency per op kind, throughput caps, CPU costs and network delay. It is
// loaded from JSON (LoadModelSet), saved with json.Marshal and named, so a
// result records exactly which models produced it. Distributions are in
// milliseconds (fields end in Ms) and written in rng's text form, e.g.
// "lognormal(mu=2.3,sigma=0.4)".
type ModelSet struct {
	Name string `json:"name"`
	// Ops maps an op kind (see OpKinds) to its latency model.
	Ops map[string]OpModel `json:"ops,omitempty"`
	// DefaultOp is used for op kinds missing from Ops (zero: no latency).
	DefaultOp OpModel `json:"defaultOp"`
	// Caps are throughput limits; every cap matching a request applies.
	Caps []Cap `json:"caps,omitempty"`
	// CPU is the cost model charged on simulated cores.
	CPU CPUModel `json:"cpu"`
	// EngineCPU holds per-engine CPU costs (by engine name) that override
	// CPU's keys for that engine's runs: both engines report steps under
	// the same kinds but their real cores differ. The driver does not read
	// it; a runner that knows the engine applies ForEngine first.
	EngineCPU map[string]CPUModel `json:"engineCpu,omitempty"`
	// Network is the delay between nodes and between clients and nodes.
	Network NetworkModel `json:"network"`
	// Host is the Azure Functions host on every node: which work runs on
	// its worker threads rather than on the engine core's own thread, and
	// its concurrency limits (zero: all work on the core, no limits).
	Host HostModel `json:"host"`
	// ActivityWaitMs is the time an activity spends waiting on remote
	// calls after its CPU time (image recognition's remote functions), by
	// activity name ("*": any other); it delays the result but occupies no
	// core.
	ActivityWaitMs map[string]rng.Dist `json:"activityWaitMs,omitempty"`
	// Services are the CPU costs of servers that deployments bring (a
	// Service of that name, e.g. the SQL engine's database "sql-db"), by
	// service name; a Service added without a Cost of its own reads its
	// costs here.
	Services map[string]ServiceModel `json:"services,omitempty"`
	// ServiceMs is the time a managed service spends on one unit of its
	// own work beyond the storage it uses, by name (the workflow service's
	// "workflow-transition": ms per state transition); a system's
	// deployment reads its own (Driver.Models) and waits it in virtual
	// time, without a core.
	ServiceMs map[string]float64 `json:"serviceMs,omitempty"`
	// Note says where the set comes from (e.g. the command that fitted it).
	Note string `json:"note,omitempty"`
}

// ServiceModel is a server's CPU time per request, by op kind ("*": any
// other matching kind), in ms of one core, and how its cores are shared.
type ServiceModel struct {
	CostsMs map[string]rng.Dist `json:"costsMs"`
	// Bound binds each request to one core at random (Service.Bound).
	Bound bool `json:"bound,omitempty"`
}

func (s ServiceModel) validate() error {
	if len(s.CostsMs) == 0 {
		return fmt.Errorf("costsMs: empty, want op kinds (or \"*\") with CPU costs in ms")
	}
	for _, kind := range sortedKeys(s.CostsMs) {
		if kind != "*" && !contains(opKinds, kind) {
			return fmt.Errorf("costsMs[%q]: unknown op kind; allowed \"*\" or one of %s", kind, strings.Join(opKinds, ", "))
		}
		if err := nonNegativeDist(fmt.Sprintf("costsMs[%q]", kind), s.CostsMs[kind]); err != nil {
			return err
		}
	}
	return nil
}

// activityWait samples the remote wait of an activity (0 if none).
func (m *ModelSet) activityWait(name string, r *rng.Source) port.Time {
	if m == nil {
		return 0
	}
	d, ok := m.ActivityWaitMs[name]
	if !ok {
		d, ok = m.ActivityWaitMs["*"]
	}
	if !ok {
		return 0
	}
	return msToTime(d.Sample(r))
}

// With returns a copy of m with part's ops, services and engine CPU costs
// added where m has none of its own (a model of one system, fitted apart,
// joining a set); m's name, note and every other model stay.
func (m *ModelSet) With(part *ModelSet) *ModelSet {
	out := *m
	out.Ops = addMissing(m.Ops, part.Ops)
	out.Services = addMissing(m.Services, part.Services)
	out.EngineCPU = addMissing(m.EngineCPU, part.EngineCPU)
	return &out
}

func addMissing[V any](base, part map[string]V) map[string]V {
	if len(part) == 0 {
		return base
	}
	out := make(map[string]V, len(base)+len(part))
	for k, v := range part {
		out[k] = v
	}
	for k, v := range base {
		out[k] = v
	}
	return out
}

// ForEngine returns a copy of m whose CPU costs have engine's EngineCPU
// costs merged over them, and no EngineCPU.
func (m *ModelSet) ForEngine(engine string) *ModelSet {
	c := *m
	costs := make(map[string]rng.Dist, len(m.CPU.CostsMs))
	for k, v := range m.CPU.CostsMs {
		costs[k] = v
	}
	for k, v := range m.EngineCPU[engine].CostsMs {
		costs[k] = v
	}
	c.CPU = CPUModel{CostsMs: costs}
	c.EngineCPU = nil
	return &c
}

// OpModel is the latency of one storage op kind: a base sample plus a
// per-byte term for the op's payload (Op.Bytes).
type OpModel struct {
	BaseMs    rng.Dist `json:"baseMs"`
	NsPerByte float64  `json:"nsPerByte,omitempty"`
}

// Cap scopes.
const (
	ScopeAccount = "account" // one limit shared by every matching request
	ScopeTarget  = "target"  // one limit per target object (queue, stream partition, table partition, blob)
)

// MaxBurstSec is the deepest token bucket a Cap may have, in seconds of
// its rate.
const MaxBurstSec = 60

// Cap is a throughput limit: matching requests are served by a rate
// limiter in virtual time (Server), each occupying it for
// max(1/ReqPerSec, units/UnitsPerSec, bytes/(MBPerSec·10^6)) seconds of
// slot time. BurstSec is the depth of its token bucket in seconds of that
// rate: the services meter per second (Azure Storage's targets and Event
// Hubs' throughput units are per-second budgets), so after an idle spell
// up to BurstSec seconds' worth of requests start at once; 0 paces every
// request strictly (no two slots at once). A request's units are
// what scalability targets count (port.ScaleUnits): Event Hubs ingress
// events of a stream append, entities of a table batch, else 1.
type Cap struct {
	Name string `json:"name"`
	// Ops are op kinds or kind prefixes ending in '*' ("queue-*"), or "*".
	Ops         []string `json:"ops"`
	Scope       string   `json:"scope"`
	ReqPerSec   float64  `json:"reqPerSec,omitempty"`
	UnitsPerSec float64  `json:"unitsPerSec,omitempty"`
	MBPerSec    float64  `json:"mbPerSec,omitempty"`
	// BurstSec is the bucket depth, in seconds of the rate (0: none).
	BurstSec float64 `json:"burstSec,omitempty"`
	// Doc says where the limit comes from (documentation, unit).
	Doc string `json:"doc,omitempty"`
}

// CPUModel is a cost model: CPU time charged on a node's cores. CostsMs keys
// are "input:<kind>" (per Step, by port.InputKind), "work:<kind>" (per unit
// of port.Work, by Kind) and "activity:<name>" (per ActivityTask, by Name);
// "<prefix>:*" is the fallback of its prefix. Missing keys cost nothing.
type CPUModel struct {
	CostsMs map[string]rng.Dist `json:"costsMs,omitempty"`
}

// HostModel is the Functions host of each node (see host.go).
type HostModel struct {
	// WorkerKinds are port.Work kinds that run on the node's worker
	// threads, in parallel, instead of in the core's turn: in Netherite a
	// partition only sequences updates while orchestration episodes and
	// entity batches run on the host's threads; in the original engine the
	// dispatcher hands each session to a thread. The turn's worker work is
	// divided evenly among its work items (units of ItemKinds).
	WorkerKinds []string `json:"workerKinds,omitempty"`
	// ItemKinds are the WorkerKinds whose every unit is one work item (an
	// orchestration episode, an entity batch); units of the other worker
	// kinds (replayed events, entity operations) add to those items' cost.
	ItemKinds []string `json:"itemKinds,omitempty"`
	// ActivitySlotsPerCore is maxConcurrentActivityFunctions per core: a
	// node runs at most this × cores activities at once (CPU and remote
	// wait); further activities wait for a slot (0: unlimited). The
	// Functions default on Premium plans is 10 per core.
	ActivitySlotsPerCore int `json:"activitySlotsPerCore,omitempty"`
	// OrchestratorSlotsPerCore is maxConcurrentOrchestratorFunctions per
	// core (Functions default on Premium plans: 10). The driver does not
	// enforce it (a worker item holds a slot only for its CPU time, which
	// the node's cores already bound); deployments read it
	// (Driver.OrchestratorSlots) for engines that hold a slot across
	// storage I/O, as the original engine's sessions do (0: the engine's
	// own default).
	OrchestratorSlotsPerCore int `json:"orchestratorSlotsPerCore,omitempty"`
	// BackgroundMsPerInvocation is CPU time per function invocation (a
	// work item of ItemKinds, an activity) that the node spends off the
	// invocation's critical path: the host's and the engine's asynchronous
	// telemetry, logging and transport threads. It takes a core of the
	// node when the invocation ends but delays nothing (0: none).
	BackgroundMsPerInvocation float64 `json:"backgroundMsPerInvocation,omitempty"`
	// BackgroundDeferMs is how long background CPU may wait for idle core
	// time (ms): with it, background work is low-priority — it runs when a
	// core of the node is idle and delays no invocation, unless it has
	// waited this long, when it takes a core like any work (the OS
	// scheduler gives a starved runnable thread its turn within its
	// latency bound). A busy node pays the same CPU as without; an idle
	// one pays no latency. 0: background takes a core in FIFO order the
	// moment the invocation ends, ahead of any later work.
	BackgroundDeferMs float64 `json:"backgroundDeferMs,omitempty"`
}

func (h HostModel) validate() error {
	for _, k := range h.ItemKinds {
		if !contains(h.WorkerKinds, k) {
			return fmt.Errorf("host.itemKinds: %q is not one of host.workerKinds (%s)", k, strings.Join(h.WorkerKinds, ", "))
		}
	}
	for _, k := range h.WorkerKinds {
		if k == "" {
			return fmt.Errorf("host.workerKinds: empty kind, want port.Work kinds like orchestration-step")
		}
	}
	if len(h.WorkerKinds) > 0 && len(h.ItemKinds) == 0 {
		return fmt.Errorf("host.itemKinds: empty, want at least one of host.workerKinds (%s)", strings.Join(h.WorkerKinds, ", "))
	}
	if h.ActivitySlotsPerCore < 0 || h.ActivitySlotsPerCore > 1000 {
		return fmt.Errorf("host.activitySlotsPerCore: %d, allowed 0 (unlimited)..1000", h.ActivitySlotsPerCore)
	}
	if b := h.BackgroundMsPerInvocation; !(b >= 0 && b <= 1000) {
		return fmt.Errorf("host.backgroundMsPerInvocation: %g, allowed 0..1000", b)
	}
	if b := h.BackgroundDeferMs; !(b >= 0 && b <= 10000) {
		return fmt.Errorf("host.backgroundDeferMs: %g, allowed 0 (no deferral)..10000", b)
	}
	if h.OrchestratorSlotsPerCore < 0 || h.OrchestratorSlotsPerCore > 1000 {
		return fmt.Errorf("host.orchestratorSlotsPerCore: %d, allowed 0 (engine default)..1000", h.OrchestratorSlotsPerCore)
	}
	return nil
}

// NetworkModel is message delay: LocalMs within a node, RemoteMs between
// nodes and between a client and a node.
type NetworkModel struct {
	LocalMs  rng.Dist `json:"localMs"`
	RemoteMs rng.Dist `json:"remoteMs"`
}

// OpKinds returns the op kinds a model set may name, sorted (port.OpKinds).
func OpKinds() []string { return port.OpKinds() }

var opKinds = port.OpKinds()

var inputKinds = []string{"activity-done", "client-call", "completion", "started", "timer"}

// LoadModelSet parses a model set from JSON and validates it. Unknown fields
// are errors, so a misspelt key never silently means "default".
func LoadModelSet(data []byte) (*ModelSet, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m ModelSet
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("model set: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks every field and returns an error naming the first bad one
// and the allowed values.
func (m *ModelSet) Validate() error {
	if err := m.validateOps(); err != nil {
		return fmt.Errorf("model set %q: %w", m.Name, err)
	}
	for i, c := range m.Caps {
		if err := c.validate(); err != nil {
			return fmt.Errorf("model set %q: caps[%d] (%s): %w", m.Name, i, c.Name, err)
		}
	}
	if err := m.CPU.validate(); err != nil {
		return fmt.Errorf("model set %q: cpu: %w", m.Name, err)
	}
	for _, e := range sortedKeys(m.EngineCPU) {
		if e == "" {
			return fmt.Errorf("model set %q: engineCpu: empty engine name", m.Name)
		}
		if err := m.EngineCPU[e].validate(); err != nil {
			return fmt.Errorf("model set %q: engineCpu[%q]: %w", m.Name, e, err)
		}
	}
	if err := nonNegativeDist("network.localMs", m.Network.LocalMs); err != nil {
		return fmt.Errorf("model set %q: %w", m.Name, err)
	}
	if err := nonNegativeDist("network.remoteMs", m.Network.RemoteMs); err != nil {
		return fmt.Errorf("model set %q: %w", m.Name, err)
	}
	if err := m.Host.validate(); err != nil {
		return fmt.Errorf("model set %q: %w", m.Name, err)
	}
	for _, name := range sortedKeys(m.ActivityWaitMs) {
		if err := nonNegativeDist(fmt.Sprintf("activityWaitMs[%q]", name), m.ActivityWaitMs[name]); err != nil {
			return fmt.Errorf("model set %q: %w", m.Name, err)
		}
	}
	for _, name := range sortedKeys(m.Services) {
		if err := m.Services[name].validate(); err != nil {
			return fmt.Errorf("model set %q: services[%q]: %w", m.Name, name, err)
		}
	}
	for _, name := range sortedKeys(m.ServiceMs) {
		if v := m.ServiceMs[name]; !(v >= 0 && v < 1e6) {
			return fmt.Errorf("model set %q: serviceMs[%q] = %g: want 0 <= ms < 1e6", m.Name, name, v)
		}
	}
	return nil
}

func (m *ModelSet) validateOps() error {
	for _, kind := range sortedKeys(m.Ops) {
		field := fmt.Sprintf("ops[%q]", kind)
		if !contains(opKinds, kind) {
			return fmt.Errorf("%s: unknown op kind, allowed: %s", field, strings.Join(opKinds, ", "))
		}
		if err := m.Ops[kind].validate(field); err != nil {
			return err
		}
	}
	return m.DefaultOp.validate("defaultOp")
}

func (o OpModel) validate(field string) error {
	if err := nonNegativeDist(field+".baseMs", o.BaseMs); err != nil {
		return err
	}
	if !(o.NsPerByte >= 0) || math.IsInf(o.NsPerByte, 0) {
		return fmt.Errorf("%s.nsPerByte: must be a finite number >= 0, got %g", field, o.NsPerByte)
	}
	return nil
}

func (c Cap) validate() error {
	if len(c.Ops) == 0 {
		return fmt.Errorf("ops: empty, want op kinds or prefixes like \"queue-*\" (allowed kinds: %s)", strings.Join(opKinds, ", "))
	}
	for _, p := range c.Ops {
		if !patternMatchesAny(p) {
			return fmt.Errorf("ops: %q matches no op kind, allowed: %s, a prefix ending in '*', or \"*\"", p, strings.Join(opKinds, ", "))
		}
	}
	if c.Scope != ScopeAccount && c.Scope != ScopeTarget {
		return fmt.Errorf("scope: %q, allowed: %s, %s", c.Scope, ScopeAccount, ScopeTarget)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"reqPerSec", c.ReqPerSec}, {"unitsPerSec", c.UnitsPerSec}, {"mbPerSec", c.MBPerSec}, {"burstSec", c.BurstSec}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s: must be a finite number >= 0, got %g", f.name, f.v)
		}
	}
	if c.ReqPerSec == 0 && c.UnitsPerSec == 0 && c.MBPerSec == 0 {
		return fmt.Errorf("reqPerSec, unitsPerSec and mbPerSec are all 0: a cap needs at least one limit")
	}
	if c.BurstSec > MaxBurstSec {
		return fmt.Errorf("burstSec: %g, allowed 0..%g (seconds of the rate a burst may take)", c.BurstSec, float64(MaxBurstSec))
	}
	return nil
}

func (c CPUModel) validate() error {
	for _, key := range sortedKeys(c.CostsMs) {
		field := fmt.Sprintf("costsMs[%q]", key)
		prefix, name, ok := strings.Cut(key, ":")
		switch {
		case !ok || name == "":
			return fmt.Errorf("%s: want input:<kind>, work:<kind> or activity:<name>", field)
		case prefix == "input":
			if name != "*" && !contains(inputKinds, name) {
				return fmt.Errorf("%s: unknown input kind, allowed: %s, *", field, strings.Join(inputKinds, ", "))
			}
		case prefix != "work" && prefix != "activity":
			return fmt.Errorf("%s: unknown prefix %q, allowed: input, work, activity", field, prefix)
		}
		if err := nonNegativeDist(field, c.CostsMs[key]); err != nil {
			return err
		}
	}
	return nil
}

// nonNegativeDist rejects durations that can be negative; a normal
// distribution is allowed when its mean is >= 0 (samples are clamped at 0).
func nonNegativeDist(field string, d rng.Dist) error {
	lo, _ := d.Support()
	if d.Kind() == rng.KindNormal {
		lo = d.Mean()
	}
	if lo < 0 {
		return fmt.Errorf("%s: %s can be negative, durations must be >= 0", field, d)
	}
	return nil
}

func patternMatchesAny(p string) bool {
	for _, k := range opKinds {
		if matchKind(p, k) {
			return true
		}
	}
	return false
}

// matchKind reports whether op kind matches pattern p: exact, "prefix*" or "*".
func matchKind(p, kind string) bool {
	if pre, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(kind, pre)
	}
	return p == kind
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// msToTime converts a sample in milliseconds to a non-negative duration.
func msToTime(ms float64) port.Time {
	if !(ms > 0) {
		return 0
	}
	ns := ms * float64(port.Millisecond)
	if ns > math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return port.Time(math.Round(ns))
}

// Latency samples the service latency of one request of op with payload
// bytes: BaseMs plus NsPerByte·bytes.
func (o OpModel) Latency(r *rng.Source, bytes int) port.Time {
	return msToTime(o.BaseMs.Sample(r)) + port.Time(math.Round(o.NsPerByte*float64(bytes)))
}

// Op returns the latency model of an op kind (DefaultOp if it has none).
func (m *ModelSet) Op(kind string) OpModel {
	if o, ok := m.Ops[kind]; ok {
		return o
	}
	return m.DefaultOp
}

// Delay samples a network delay (LocalMs when sameNode, else RemoteMs).
func (n NetworkModel) Delay(r *rng.Source, sameNode bool) port.Time {
	if sameNode {
		return msToTime(n.LocalMs.Sample(r))
	}
	return msToTime(n.RemoteMs.Sample(r))
}
