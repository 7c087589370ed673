// Package port is the I/O seam between the engines and the world.
//
// It owns the Core interface (Step/Ready/Advance) that every engine state
// machine implements, the small data types a core hands to its driver
// (storage requests, timers, activity tasks, client responses) and receives
// back (completions, timer firings, activity results, client calls), and the
// consumer-side storage interfaces that backends implement, shaped after
// the Azure services so that request counts stay faithful: Blob, PageBlob,
// AppendBlob, Leases and Syncer; Queue and QueueAdmin; Table; Stream and
// Cursors. Errors wrap the sentinels in errors.go (ErrNotFound, ErrConflict,
// ErrETagMismatch, ErrLeaseHeld, ErrLeaseLost, ErrPopReceipt, ErrTooLarge,
// ErrBadRequest); the Valid* helpers check inputs against the services'
// limits, naming the field and the allowed values. Every store method has
// an Op value (ops_*.go) with a stable, typed Kind (OpKind) and its Target
// object; decorators (a meter, a fault injector) are Middleware around the
// op, applied by both drivers through Chain. Both drivers — the simulator in sim/ and the real
// driver in engine/host — speak only this package. It holds no engine
// behaviour: the only code here is the one-line dispatch of a request to the
// matching store method, shared by both drivers so that they cannot drift.
package port
