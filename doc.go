// Package dflab is the facade a program calls to run Durable Functions
// code for real: Start picks an engine (netherite or original) and its
// storage (mem, disk, azure, with a NATS JetStream or disk transport for
// Netherite), runs the engine's cores on the real driver (engine/host) and
// returns an Engine whose Client starts and observes orchestrations.
//
// Simulated runs do not go through this package: the harness deploys the
// same cores on the simulator (sim/) instead.
package dflab
