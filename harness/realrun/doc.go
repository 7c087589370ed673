// Package realrun runs an experiment spec on a real backend (disk, azure,
// nats) with the real driver (engine/host, through the dflab facade) and
// measures it on the wall clock: the same workloads, arrival schedules
// (from the seed) and oracles as the simulator runner (harness/simrun),
// but everything runs in this one process on this machine, so the spec's
// cluster shape is recorded, not enforced, and the notes say so — unless
// Options.Cluster makes the run the load process of a cluster of worker
// processes (dflab load, harness/cluster): then it starts the engine's
// client only, on the storage the workers share.
//
// A spec's fault plan runs too (faults.go): storage and stream lines
// through faults/inject as middleware, on the wall clock from the run's
// start; crash and restart of a node's cores in this process
// (host.Driver.Crash, Restart), or of a worker process through the
// cluster's supervisor (Cluster.Control). The checkers that apply after a
// run (completion, the workload's oracle) name themselves in the error, as
// the simulator's do.
package realrun
