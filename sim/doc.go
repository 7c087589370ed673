// Package sim owns the deterministic discrete-event simulator: the Kernel
// (an event heap ordered by virtual time and sequence number), the storage,
// throughput, CPU, host and network models (models.go, caps.go, cpu.go,
// host.go), and the Driver that runs engine cores (port.Core) on simulated
// nodes against a shared in-memory port.Stores, each request applied
// through Config.Middleware (a meter, a fault injector).
//
// Everything here is single-threaded and seeded: the same seed and inputs
// give a byte-identical trace (sim/trace) and the same trace hash. Nothing in
// sim/ reads a clock, starts a goroutine, uses channels or math/rand, or lets
// output depend on map iteration order.
//
// # The structural model
//
// What makes an engine scale, or not, in the simulator is where each kind
// of work runs and what it waits for. Every number below is a knob of the
// ModelSet (data, named, saved with each result).
//
//   - Node cores (CPU, cpu.go): a node of c cores is a FIFO multi-server
//     queue: every piece of CPU work of the node (a core's turn, a worker
//     item, an activity) takes the core that frees up first and runs to
//     completion. For throughput this is processor sharing's equal: a busy
//     node completes c CPU-seconds per second.
//   - Engine cores' own threads: a core (a Netherite partition, an original
//     engine worker's dispatcher, a client) steps its inputs one turn at a
//     time; a turn's CPU time (input costs plus work of kinds that are not
//     worker kinds) is serial per core. This is the partition's sequencer.
//   - The Functions host's worker threads (HostModel, host.go): work kinds
//     listed in Host.WorkerKinds (orchestration episodes, entity batches,
//     replayed history events) do not run in the core's turn: after the
//     turn's own part they run as separate items on the node's cores, in
//     parallel, and the turn's outputs (storage requests, sends, timers,
//     responses) are released when the last item ends — never before an
//     earlier turn's outputs. Without WorkerKinds everything a core does is
//     serial on one thread, so P partitions cap a cluster at P cores.
//   - Host concurrency limits: activities hold one of the node's
//     Host.ActivitySlotsPerCore × cores slots (maxConcurrentActivityFunctions,
//     10 per core by default on Premium plans) from start to end, CPU and
//     remote wait included; Host.OrchestratorSlotsPerCore × cores
//     (maxConcurrentOrchestratorFunctions) is read by deployments whose
//     engine holds a slot across storage I/O (the original engine's
//     sessions), see Driver.OrchestratorSlots.
//   - Background CPU: Host.BackgroundMsPerInvocation per work item and per
//     activity (asynchronous telemetry, logging, transport threads) takes a
//     core of the node when the invocation ends; with
//     Host.BackgroundDeferMs it is low-priority work (CPU.Defer) that runs
//     in the cores' idle time and takes a core ahead of later work only
//     once it has waited that long, so it costs throughput on a busy node
//     but no latency on an idle one (without deferral, FIFO chunks of it
//     delay the next critical-path step on a node with few cores).
//   - Services: each storage op kind has a latency (base sample plus a
//     per-byte term) and throughput caps (Caps: per target — a queue, a
//     table partition, a stream partition, a blob — or per account) served
//     by token buckets (caps.go; Cap.BurstSec deep, in seconds of the rate,
//     0 for strict pacing) that count requests, bytes and the units
//     scalability targets count (port.ScaleUnits: Event Hubs ingress
//     events, table entities). Fitted sets carry the Azure Storage
//     targets (calibrate.PaperCaps); a deployment adds the caps of what it
//     provisions (Driver.AddCap: Netherite's Event Hubs namespace of
//     eventHubs.throughputUnits TUs).
//   - Servers a deployment brings (Service, service.go: the SQL engine's
//     database): matching requests share the server's cores by processor
//     sharing (n requests in service each progress at min(1, cores/n) of
//     a core), or, Bound, each is bound at random to one core and shares
//     only that one (SQL Server's schedulers), for their CPU cost
//     (ModelSet.Services or the deployment's own); then their op latency
//     runs.
//   - Network: a delay within a node and between nodes or clients.
//   - Load nodes (Driver.AddLoadNode): the load generator's clients run on
//     a node whose CPU is not modelled, so a run is bound by the system's
//     resources, never by the simulated client polling its instances.
//
// Driver.Utilisation reports every one of these resources' utilisation over
// a run and Binding picks the busiest: the resource that bound the run.
package sim
