// Package faults holds dflab's fault injection and the engine-independent
// checkers. It sits above sim/, backends/ and engine/ in the layout; nothing
// in engine/ or sim/ imports it.
//
// Subpackages:
//
//   - faults/plan: fault plans as data with a line-oriented text form that
//     prints and parses back identically (Parse, Plan.String). A plan is
//     saved with every result, so a failing run can be reproduced with
//     `dflab repro --seed N --plan FILE`.
//   - faults/inject: the injector. Injector.Middleware is a port.Middleware
//     (as backends/meter's) that both drivers run every storage op through,
//     with storage and stream faults; Injector.Latency is the hook through which the simulator
//     applies latency faults to its own latency model; Injector.Schedule
//     compiles timed actions (crash, restart, move, lease loss) into calls
//     on a caller-supplied scheduler and Target, so the simulator glue and a
//     real run use the same code. Every injected fault is counted by fault
//     and op kind (Injector.Counts) for the campaign summary.
//   - faults/check: checkers that need no engine: acknowledged writes
//     survive (Acks), the outbox rule (Ordering, from sim or host
//     violations or from a request/completion log), and replay equivalence
//     of two encoded states with a readable diff (SameState).
//
// # Faults the design claims to survive
//
// A plan may only inject faults that DESIGN.md says both engines tolerate;
// anything else would report engine "bugs" that are really broken
// assumptions. The plan grammar (see faults/plan) has exactly these:
//
//   - crash of a node at any moment, and its restart: volatile state is
//     lost; acknowledged storage writes survive; a request in flight may or
//     may not have been applied (the driver decides, seeded).
//   - partition move (graceful stop, recovery on another node) and lease
//     loss (the owner's blob lease is broken; it must stop and recover).
//   - transient storage errors before an operation is applied, on any op
//     kind (the engine retries).
//   - ambiguous storage errors: the operation was applied, then an error
//     was returned (a timeout after the server committed). Engines must
//     tolerate the duplicate a retry creates: ETag checks on table batches,
//     replay filtering of duplicate queue messages, dedup of stream batches
//     by (origin, position).
//   - throttling (server-busy errors that wrap a retryable sentinel) and
//     latency multipliers over a time window.
//   - stream faults: a duplicated append batch (receivers drop duplicates by
//     (origin, position)) and a delayed append.
//   - at a crash, in disk-like mode only: a torn tail of a partition's
//     commit log, and loss of unsynced page writes and append blocks
//     (recovery must cut the log at the last complete, synced record).
//
// Not in the grammar, on purpose: loss or corruption of acknowledged
// writes, dropped or reordered stream records within a partition, a clock
// that goes backwards, two owners of a lease at once, Byzantine storage.
// None of these is survivable by the design, so none is injectable.
//
// Nothing in faults/ reads the wall clock, sleeps, starts goroutines or
// draws randomness other than from a caller-supplied seeded sim/rng
// source: the injectors run inside the simulator, and latency for real
// runs is applied through a caller-supplied sleep function.
package faults
