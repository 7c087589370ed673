// Package simrun runs one repetition of a resolved spec on the simulator:
// it finds the spec's system in a registry (Options.Systems, default
// systems/builtin) and deploys it from its descriptor (systems.System.Sim:
// e.g. Netherite's partition i on node i mod N, the original engine's one
// worker per node) on nodes × cores of a sim.Driver over an in-memory cloud store wrapped by
// backends/meter (and by faults/inject when the spec has a fault plan),
// sends the arrivals of the workload (found in Options.Workloads, default
// the built-in ones) as client calls, and follows every
// instance to its end: a RequestWait per started orchestration, or, for
// workloads that end in an entity's state (workload.EntityCompletion), a
// status request on that entity, polled with back-off.
//
// Latency is per instance, from its first request to its completion, in
// virtual time; throughput is work units over first start to last
// completion; storage traffic and cost come from the meter (list prices);
// CPU busy fractions from the driver's node CPUs. The workload's oracle
// must pass or the run fails; for workloads whose oracle needs entity
// states (workload.EntityOracle: bank, wordcount) the runner reads those
// entities with status requests after the measured interval (entities.go).
// The model set is named by spec.backend.models and recorded in the
// result (models.go): "default" is sim.DefaultModels, a small uncalibrated
// set; "paper2022", "paper2022b" (the fit with the simulated cloud's
// structure, sim/doc.go), "paper2022c" (besides, the services' throughput
// limits) and "paper2022d" (the default: the limits as token buckets,
// speculation none parking only step results, Hello3 latency at the
// engine's last update) are fitted by `dflab calibrate`
// to the paper's calibration set and committed as models/<name>.json.
// Empty stream reads are held until an append (as Event Hubs receivers
// wait), not polled.
//
// RunWith adds what the fault campaign (harness/campaign) needs: a heal
// phase that restarts crashed nodes, a settle time before the oracle, a
// planted engine bug, the trace hash and the injected faults' counts; a
// run a checker fails returns a CheckError naming the checker.
package simrun
