// Package sim owns the deterministic discrete-event simulator: the Kernel
// (an event heap ordered by virtual time and sequence number), the storage,
// throughput, CPU and network models (models.go, caps.go, cpu.go), and the
// Driver that runs engine cores (port.Core) on simulated nodes against a
// shared in-memory port.Stores.
//
// Everything here is single-threaded and seeded: the same seed and inputs
// give a byte-identical trace (sim/trace) and the same trace hash. Nothing in
// sim/ reads a clock, starts a goroutine, uses channels or math/rand, or lets
// output depend on map iteration order.
package sim
