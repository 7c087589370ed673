// Package port is the I/O seam between the engines and the world.
//
// It owns the Core interface (Step/Ready/Advance) that every engine state
// machine implements, the small data types a core hands to its driver
// (storage requests, timers, activity tasks, client responses) and receives
// back (completions, timer firings, activity results, client calls), and the
// consumer-side storage interfaces (Blob with leases, Queue, Table, Stream)
// that backends implement. Both drivers — the simulator in sim/ and the real
// driver in engine/host — speak only this package. It holds no engine
// behaviour: the only code here is the one-line dispatch of a request to the
// matching store method, shared by both drivers so that they cannot drift.
package port
