// Package archtest holds the architecture test: it enforces DESIGN.md's
// dependency direction (engine code depends on no simulator, backend,
// fault, harness or system-descriptor package; production code on no test
// suite such as internal/scenarios) and the one rule (engine and simulator
// code is deterministic and does no I/O: no clocks, goroutines, channels,
// select, randomness, os, net or sync; and no result depends on map
// order: CheckMapOrder type-checks the cores and the system descriptors
// and flags every range over a map that appends to an outer slice it
// does not sort afterwards, calls something for its effect, accumulates
// a float or string, or returns an element, unless the loop carries an
// //archtest:orderfree directive with a reason).
package archtest
