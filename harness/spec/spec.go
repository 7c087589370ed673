package spec

import (
	"encoding/json"

	"github.com/dflab/dflab/systems"
)

// Version is the version of the spec format written into every resolved
// spec.
const Version = 1

// Engine names.
const (
	EngineNetherite = "netherite"
	EngineOriginal  = "original"
	EngineSQL       = "sql"
)

// Backend kinds.
const (
	BackendSim   = "sim"
	BackendDisk  = "disk"
	BackendAzure = "azure"
	BackendNATS  = "nats"
)

// Load kinds.
const (
	LoadClosed = "closed"
	LoadOpen   = "open"
)

// Speculation levels of the Netherite engine.
const (
	SpeculationNone   = "none"
	SpeculationLocal  = "local"
	SpeculationGlobal = "global"
)

// Allowed values of the enumerated fields, in the order error messages list them.
var (
	// Engines are the built-in Durable Functions engines (systems/builtin)
	// that every loop over the engines covers (calibration of step costs,
	// test matrices over every workload): those whose descriptor has a
	// Draw and that run every workload (netherite, original, sql). A spec
	// may name any system of its catalog.
	Engines = engines(builtinSystems)
	// Systems are the built-in systems with a Draw, Engines and the
	// alternatives that run some workloads only (the workflow service):
	// the loops over systems × workloads (bench, the campaign's default
	// draw) cover the pairs System.RunsWorkload allows.
	Systems      = drawable(builtinSystems)
	Backends     = []string{BackendSim, BackendDisk, BackendAzure, BackendNATS}
	LoadKinds    = []string{LoadClosed, LoadOpen}
	Spacings     = []string{"poisson", "fixed"}
	Speculations = []string{SpeculationNone, SpeculationLocal, SpeculationGlobal}
	// Workloads are the paper's workloads (workloads/ packages), the
	// built-in ones; a catalog may hold more.
	Workloads = builtinWorkloads.Names()
)

// Spec is one experiment: engine × backend × workload × cluster shape ×
// knobs × fault plan × seed, repeated Repetitions times.
type Spec struct {
	// Version is the spec format version (Version); 0 means current.
	Version int `json:"version,omitempty"`
	// Name is a free label carried into results (e.g. "fig9/hello5").
	Name        string   `json:"name,omitempty"`
	Engine      Engine   `json:"engine"`
	Backend     Backend  `json:"backend"`
	Cluster     Cluster  `json:"cluster"`
	Workload    Workload `json:"workload"`
	Load        Load     `json:"load"`
	Faults      string   `json:"faults,omitempty"`
	Seed        uint64   `json:"seed,omitempty"`
	Repetitions int      `json:"repetitions,omitempty"`
}

// Engine names the engine (a system of the catalog) and holds its knob
// values by the system descriptor's knob names (systems.Knob). In JSON
// the knobs are an object under the engine's name, dotted names nesting:
// {"name":"netherite","netherite":{"partitions":4,"checkpoint":{"events":-1}}}.
type Engine struct {
	Name  string
	Knobs systems.Values
}

// Backend is where storage lives.
type Backend struct {
	Kind string `json:"kind"`
	// Models names the simulator's model set (sim only; default "paper2022d", fitted by dflab calibrate).
	Models string `json:"models,omitempty"`
	// DiskLike gives the simulated page and append blobs a local disk's
	// semantics (sim only): an acknowledged write is volatile until the
	// blob is synced, and a crash with "lose-unsynced at crash" loses it
	// (default false: durable when acknowledged, as Azure's).
	DiskLike bool `json:"diskLike,omitempty"`
	// Dir is the directory of the disk backend (empty: a fresh temporary
	// one, removed after the run). Each run gets its own task hub in
	// Dir/seed-N, which must not hold an earlier run; it is kept.
	Dir string `json:"dir,omitempty"`
	// ConnectionEnv names the environment variable holding the Azure
	// connection string (azure only; default DFLAB_AZURE_CONNECTION). The
	// secret itself is never part of a spec or a result.
	ConnectionEnv string `json:"connectionEnv,omitempty"`
	// Keep keeps a run's Azure container, queues and tables (azure only;
	// default false: they are deleted when the run ends).
	Keep bool `json:"keep,omitempty"`
	// URL is the NATS server URL (nats only; empty: an embedded server).
	URL string `json:"url,omitempty"`
}

// Cluster is the shape of the application's cluster.
type Cluster struct {
	Nodes int `json:"nodes,omitempty"` // default 1
	Cores int `json:"cores,omitempty"` // per node, default 1
}

// Workload names a workload and carries its parameters as raw JSON, handed
// to the workload package unchanged (it decodes them strictly).
type Workload struct {
	Name   string          `json:"name"`
	Params json.RawMessage `json:"params,omitempty"`
}

// Load is when instances start: closed (Instances at once) or open
// (RatePerSec for Duration, spaced poisson or fixed).
type Load struct {
	Kind string `json:"kind,omitempty"`
	// Instances of a closed load; default the workload's
	// (workloads.Factory.DefaultInstances: 1 WordCount job, 1 Collision
	// search, 1,000 of the others).
	Instances  int      `json:"instances,omitempty"`
	RatePerSec float64  `json:"ratePerSec,omitempty"`
	Duration   Duration `json:"duration,omitempty"`
	Spacing    string   `json:"spacing,omitempty"`
	// TimeLimit is how long instances may take after the last one starts
	// (virtual time on the simulator, wall time on real backends) before
	// the run fails naming the instances still running. Default
	// DefaultTimeLimit per the workload's default load's worth of
	// instances (so it scales with the load), at least DefaultTimeLimit.
	TimeLimit Duration `json:"timeLimit,omitempty"`
	// Launchers, on a closed load of orchestrations, is how many starts
	// each launcher entity makes: the client signals one launcher entity
	// per Launchers instances and each starts its orchestrations from an
	// entity operation (EntityContext.StartNewOrchestration), as the paper
	// launched Hello5 on multi-node 2- and 4-core runs (200 each). Omitted:
	// the client starts every instance itself.
	Launchers int `json:"launchers,omitempty"`
	// LatencyEnd is where an instance's latency ends: LatencyEndResponse
	// (omitted: when the client's wait is answered) or LatencyEndStatus
	// (the instance's last update as the engine recorded it in its status,
	// DurableTask's LastUpdatedTime; the answer's time where a system
	// records none). The paper's Hello3 client for the Azure Storage
	// engine polls the status once a second
	// (WaitForCompletionOrCreateCheckStatusResponseAsync without a poll-free
	// wait), so its sub-second latencies are the instances' own timestamps.
	LatencyEnd string `json:"latencyEnd,omitempty"`
}

// Latency ends (Load.LatencyEnd).
const (
	LatencyEndResponse = "response"
	LatencyEndStatus   = "status"
)
