// Package realrun runs an experiment spec on a real backend (disk, azure,
// nats) with the real driver (engine/host, through the dflab facade) and
// measures it on the wall clock: the same workloads, arrival schedules
// (from the seed) and oracles as the simulator runner (harness/simrun),
// but everything runs in this one process on this machine, so the spec's
// cluster shape is recorded, not enforced, and the notes say so — unless
// Options.Cluster makes the run the load process of a cluster of worker
// processes (dflab load, harness/cluster): then it starts the engine's
// client only, on the storage the workers share.
package realrun
