// Package archtest holds the architecture test: it enforces DESIGN.md's
// dependency direction (engine code depends on no simulator, backend,
// fault, harness or system-descriptor package; production code on no test
// suite such as internal/scenarios) and the one rule (engine and simulator
// code is deterministic and does no I/O: no clocks, goroutines, channels,
// select, randomness, os, net or sync).
package archtest
