// Package cluster is the process glue of dflab as a cluster: a worker
// process hosting one node of an engine against shared storage (Azure
// Storage or Azurite, and a NATS JetStream transport), and the placement
// a load process measures while it runs.
//
// A worker advertises itself by holding a lease on its worker blob
// (netherite.WorkerBlob); the live workers are the lease-held worker
// blobs, so the leases are the only shared truth. Every tick a worker
// renews its lease, probes the others' (a probe that gets an expired lease
// deletes the dead worker's blob), computes the engine's deterministic
// placement (netherite.Placement) of the live set and starts the
// partition cores placed on it and gracefully stops (netherite.Stop: flush,
// checkpoint, release the lease) the ones placed elsewhere. A partition
// core that starts while the lease is still held waits for it (the
// engine's AcquireRetry knob), so a graceful move hands over as soon as
// the old owner releases and a killed worker's partitions are recovered
// when their leases expire (the LeaseDuration knob).
//
// A Local cluster's supervisor takes crash and restart commands for its
// workers on a Unix socket (supervise.go), and the workers run their
// engine's storage requests through the fault plan a load process wrote to
// the hub's FaultsBlob (faults.go).
package cluster
