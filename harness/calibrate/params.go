package calibrate

import (
	"fmt"
	"math"
	"strings"

	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Params are the free parameters of the fit: a handful of physical
// quantities that explain the calibration set.
type Params struct {
	// CPUFactor scales the engine step costs measured on this machine to
	// the paper's Azure Functions cores (it absorbs the Functions host,
	// serialization and storage SDK work the Go cores do not do).
	CPUFactor float64
	// HostMs is CPU per function invocation that the Go cores do not do at
	// all: Azure Functions runs every orchestrator step, entity operation
	// and activity through its host (dispatch, bindings, serialization,
	// logging). It is charged per invocation (HostKeys), unlike engine
	// plumbing (reads, completions, log flushes) that batches under load.
	HostMs float64
	// Median latencies (ms) of storage op groups: page blobs and append
	// blobs (Netherite's commit log), the stream (Event Hubs), queues, and
	// tables. Block blobs and leases share TableMs (a plain storage
	// account round trip): the calibration set cannot tell them apart, and
	// a free blob latency drifts to whatever delays the engines' start.
	PageMs, StreamMs, QueueMs, TableMs float64
	// Sigma is the lognormal shape of every storage latency (its tail).
	Sigma float64
	// BackgroundMs is CPU per function invocation spent off its critical
	// path (sim.HostModel.BackgroundMsPerInvocation): asynchronous
	// telemetry, logging and transport threads of the host and engine.
	BackgroundMs float64
	// RequestMs is client CPU per storage request that the Go cores do
	// not do: the storage SDK's HTTP, TLS and (de)serialization of one
	// request on the node, charged on every storage completion
	// (RequestKeys) on top of its measured cost, whatever the engine.
	RequestMs float64
}

// RequestKeys are the step kinds that are one storage request each,
// charged RequestMs on top of their measured cost.
var RequestKeys = []string{"input:completion"}

// ParamNames are the names of Params' fields in vector order.
var ParamNames = []string{"cpuFactor", "hostMs", "pageMs", "streamMs", "queueMs", "tableMs", "sigma", "backgroundMs", "requestMs"}

// HostKeys are the step kinds that are function invocations, charged
// HostMs each on top of their measured cost: an orchestrator step, an
// entity operation, an activity (charged when its result reaches the
// engine's core).
var HostKeys = []string{"input:activity-done", "work:entity-op", "work:orchestration-step"}

// Vector returns p in ParamNames order.
func (p Params) Vector() []float64 {
	return []float64{p.CPUFactor, p.HostMs, p.PageMs, p.StreamMs, p.QueueMs, p.TableMs, p.Sigma, p.BackgroundMs, p.RequestMs}
}

// ParamsOf is the inverse of Vector.
func ParamsOf(v []float64) (Params, error) {
	if len(v) != len(ParamNames) {
		return Params{}, fmt.Errorf("params: %d values, want %d (%s)", len(v), len(ParamNames), strings.Join(ParamNames, ", "))
	}
	for i, x := range v {
		if !(x > 0) || math.IsInf(x, 0) {
			return Params{}, fmt.Errorf("params: %s = %g, must be a finite number > 0", ParamNames[i], x)
		}
	}
	return Params{CPUFactor: v[0], HostMs: v[1], PageMs: v[2], StreamMs: v[3], QueueMs: v[4], TableMs: v[5], Sigma: v[6], BackgroundMs: v[7], RequestMs: v[8]}, nil
}

// ParamInfo is a parameter's unit, the physically plausible range the fit
// may use (a parameter that must leave it to fit is missing structure, not
// a fitted value) and why that range.
type ParamInfo struct {
	Name, Unit string
	Lo, Hi     float64
	Why        string
}

// ParamInfos are the parameters' units and ranges, in ParamNames order.
var ParamInfos = []ParamInfo{
	{"cpuFactor", "simulated ms per measured ms", 20, 400, "Go step costs on this machine vs the DTFx/.NET stack (serialization, SDK, logging) on one EP core"},
	{"hostMs", "ms per invocation", 0.1, 5, "Functions host dispatch of one orchestrator, entity or activity invocation"},
	{"pageMs", "ms (median)", 3, 40, "Azure page-blob write/read round trip"},
	{"streamMs", "ms (median)", 1, 30, "Event Hubs send or receive round trip"},
	{"queueMs", "ms (median)", 3, 30, "Azure Storage queue op round trip"},
	{"tableMs", "ms (median)", 3, 30, "Azure Storage table (and block-blob, lease) op round trip"},
	{"sigma", "lognormal shape", 0.1, 1, "storage latency tail"},
	{"backgroundMs", "ms per invocation", 0.05, 10, "asynchronous telemetry, logging and transport CPU per invocation, off its critical path"},
	{"requestMs", "ms per storage request", 0.01, 3, "client CPU of one storage request on the node: the storage SDK's HTTP, TLS and (de)serialization"},
}

// Clamp returns v with every parameter moved into its ParamInfos range.
func Clamp(v []float64) []float64 {
	out := append([]float64(nil), v...)
	for i := range out {
		if i < len(ParamInfos) {
			out[i] = min(max(out[i], ParamInfos[i].Lo), ParamInfos[i].Hi)
		}
	}
	return out
}

// PaperHost is the Functions host structure every fitted set gets (not
// fitted): orchestration episodes, entity batches and the history replay
// they do run on the host's worker threads, in parallel, as in Netherite
// (a partition only sequences updates) and in DTFx's dispatchers; the
// host's concurrency limits on Premium plans, maxConcurrentActivityFunctions
// and maxConcurrentOrchestratorFunctions, 10 per core (Durable Functions
// host.json documentation); and background CPU deferred to idle core time
// for at most BackgroundDeferMs.
var PaperHost = sim.HostModel{
	WorkerKinds:              []string{"entity-batch", "entity-op", "entity-step", "orchestration-step", "replay-event"},
	ItemKinds:                []string{"entity-batch", "entity-step", "orchestration-step"},
	ActivitySlotsPerCore:     10,
	OrchestratorSlotsPerCore: 10,
	BackgroundDeferMs:        BackgroundDeferMs,
}

// BackgroundDeferMs is how long the host's background CPU (telemetry,
// logging, transport threads; fitted per invocation as backgroundMs) waits
// for idle core time before it takes a core (sim.HostModel.BackgroundDeferMs):
// those threads are runnable work the OS scheduler shares out within its
// latency bound — Linux CFS's sched_latency_ns is 6 ms × (1 + log2 cores),
// 6..18 ms on the paper's 1..4 cores; Windows' clock tick is 15.6 ms — so
// they delay a foreground invocation by little on an idle node and take
// their full share of a busy one. 20 ms is the order of both; not fitted.
const BackgroundDeferMs = 20

// StorageBurstSec is the depth of every Azure Storage cap's token bucket,
// in seconds of its rate: the scalability targets are budgets per second
// ("up to 2,000 messages per second"), metered over one-second windows, so
// a second's budget may be spent at once after an idle spell rather than
// paced one request per 1/rate. An assumption from how the targets are
// stated (the documentation gives no bucket depth), not fitted.
const StorageBurstSec = 1

// PaperCaps are the Azure Storage scalability targets every fitted set
// gets (not fitted; Azure Storage documentation, "Scalability and
// performance targets" for queues, tables, blobs and standard storage
// accounts), each metered by a token bucket of StorageBurstSec. A
// request's units are port.ScaleUnits: a table batch counts its entities.
// Event Hubs throughput units are the Netherite deployment's (knob
// eventHubs.throughputUnits), provisioned per workload as the paper.
var PaperCaps = []sim.Cap{
	{Name: "queue", Ops: []string{"queue-*"}, Scope: sim.ScopeTarget, ReqPerSec: 2000, BurstSec: StorageBurstSec,
		Doc: "per queue: up to 2,000 messages/s (1 KiB messages)"},
	{Name: "table-partition", Ops: []string{"table-*"}, Scope: sim.ScopeTarget, UnitsPerSec: 2000, BurstSec: StorageBurstSec,
		Doc: "per table partition: up to 2,000 entities/s (1 KiB entities)"},
	{Name: "page-blob", Ops: []string{"page-*"}, Scope: sim.ScopeTarget, ReqPerSec: 500, MBPerSec: 62.9, BurstSec: StorageBurstSec,
		Doc: "per page blob: up to 500 requests/s and 60 MiB/s"},
	{Name: "storage-account", Ops: []string{"queue-*", "table-*", "blob-*", "page-*", "append-*", "lease-*"}, Scope: sim.ScopeAccount, ReqPerSec: 20000, BurstSec: StorageBurstSec,
		Doc: "per storage account: up to 20,000 requests/s"},
}

// StartParams is where the fit starts: round numbers of the right order
// for Azure Storage and Event Hubs.
var StartParams = Params{CPUFactor: 100, HostMs: 1, PageMs: 20, StreamMs: 5, QueueMs: 10, TableMs: 10, Sigma: 0.5, BackgroundMs: 1, RequestMs: 0.2}

// opGroups maps op-kind prefixes to the Params median that applies and a
// fixed per-byte cost (ns/byte, not fitted: the calibration set says
// nothing about payload size).
var opGroups = []struct {
	prefix    string
	median    func(Params) float64
	nsPerByte float64
}{
	{"append-", func(p Params) float64 { return p.PageMs }, 2},
	{"page-", func(p Params) float64 { return p.PageMs }, 2},
	{"stream-", func(p Params) float64 { return p.StreamMs }, 1},
	{"queue-", func(p Params) float64 { return p.QueueMs }, 2},
	{"table-", func(p Params) float64 { return p.TableMs }, 5},
	{"blob-", func(p Params) float64 { return p.TableMs }, 2},
	{"lease-", func(p Params) float64 { return p.TableMs }, 0},
	// The SQL engine's procedure calls: a network round trip to the
	// database, not fitted (the database's CPU is the sql system's own
	// service model, sim.Service).
	{"sql-", func(Params) float64 { return SQLRoundTripMs }, 1},
}

// EntityBatchIsEpisode charges every entity batch of EntityBatchEngine
// the measured cost of an orchestration episode (EpisodeKey) on top of
// its own (not fitted; documented structure): Durable Functions runs an
// entity as "the entity scheduler ... a looping orchestration, one per
// entity" (TaskEntityShim), so each batch is an orchestration work item —
// Netherite queues entity work items as OrchestrationWorkItems — that
// rehydrates the scheduler state, runs the batch (the entity function once
// per operation: HostMs per entity-op) and ends in ContinueAsNew with the
// state serialized. The Go core runs a batch as a loop over its
// operations, so its measured entity-batch cost (none is measured) has no
// episode in it. The original engine's entity steps are measured as steps
// (work:entity-step) and are left as they are.
const EntityBatchIsEpisode = true

// The engine, and the step keys, of EntityBatchIsEpisode.
const (
	EntityBatchEngine = "netherite"
	EntityBatchKey    = "work:entity-batch"
	EpisodeKey        = "work:orchestration-step"
)

// SQLRoundTripMs is the median network round trip of a procedure call to
// the database, an assumption (a client and an Azure SQL server in one
// region), not fitted: the calibration set has no SQL engine point.
const SQLRoundTripMs = 1.0

// ModelSet builds the model set of p: every op kind gets a lognormal
// latency of its group's median and shape Sigma; each engine's measured
// step costs (µs, by engine) times CPUFactor, plus HostMs for HostKeys
// and RequestMs for RequestKeys, become its CPU costs.
func (p Params) ModelSet(name string, measured map[string]map[string]float64) (*sim.ModelSet, error) {
	host := PaperHost
	host.BackgroundMsPerInvocation = round6(p.BackgroundMs)
	m := &sim.ModelSet{Name: name, Ops: map[string]sim.OpModel{}, EngineCPU: map[string]sim.CPUModel{}, Host: host, Caps: append([]sim.Cap(nil), PaperCaps...),
		Network: sim.NetworkModel{LocalMs: rng.Const(0.02), RemoteMs: rng.MustParse("lognormal(mu=-0.7,sigma=0.2)")}}
	for _, kind := range sim.OpKinds() {
		for _, g := range opGroups {
			if !strings.HasPrefix(kind, g.prefix) {
				continue
			}
			d, err := rng.LogNormal(math.Log(g.median(p)), p.Sigma)
			if err != nil {
				return nil, fmt.Errorf("op %s: %w", kind, err)
			}
			m.Ops[kind] = sim.OpModel{BaseMs: d, NsPerByte: g.nsPerByte}
		}
	}
	for _, engine := range workload.Keys(measured) {
		ms := map[string]float64{}
		for key, us := range measured[engine] {
			ms[key] = us / 1e3 * p.CPUFactor
		}
		if EntityBatchIsEpisode && engine == EntityBatchEngine {
			if us, ok := measured[engine][EpisodeKey]; ok {
				ms[EntityBatchKey] += us / 1e3 * p.CPUFactor
			}
		}
		for _, key := range HostKeys {
			ms[key] += p.HostMs
		}
		for _, key := range RequestKeys {
			if _, ok := ms[key]; ok {
				ms[key] += p.RequestMs
			}
		}
		costs := map[string]rng.Dist{}
		for _, key := range workload.Keys(ms) {
			costs[key] = rng.Const(round6(ms[key]))
		}
		m.EngineCPU[engine] = sim.CPUModel{CostsMs: costs}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// round6 keeps 6 significant digits, so the committed JSON stays legible.
func round6(x float64) float64 {
	if x == 0 {
		return 0
	}
	e := math.Pow(10, 5-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*e) / e
}
