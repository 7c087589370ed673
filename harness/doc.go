// Package harness runs experiments: it resolves a spec, runs each
// repetition through the Runner registered for the spec's engine, and
// writes one results row per run with its provenance (resolved spec, git
// revision, seed, wall time, dflab version).
//
// The Runner interface is the seam between the harness and the engines:
// an engine package (wired in engines.go, since nothing outside harness
// may import harness) implements Run for a resolved spec and returns the
// run's metrics. Until an engine is registered, every command that needs
// one fails with ErrNoEngine instead of inventing results.
//
// Subpackages: spec (experiment specs and sweeps), simrun (a spec on the
// simulator, virtual time), realrun (a spec on disk, Azure Storage or NATS
// with the real driver, wall time), metrics (throughput, latency, traffic,
// cost, statistics), results (JSONL, CSV, schema), plot (charts), cli
// (the CLI as a library; cmd/dflab is its main).
package harness
