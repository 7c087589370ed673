// Package sql is the MS SQL design of Durable Functions
// (DurableTask.SqlServer) as deterministic cores over the relational port
// (port.Relational): a Worker core per node and a Client core. It is a
// port of the design to any database that runs its procedures
// (backends/sqlmem in simulation, backends/postgres for real), not SQL
// Server itself.
//
// Every storage request is one procedure call, one transaction
// (port.SQL*). An orchestration step is two of them: LockNextOrchestration
// locks the first instance with visible events whose lock is free or
// expired (skipping locked rows) and returns up to Batch (10) of its events
// with its full history; the worker replays (engine/replay) and calls
// Checkpoint, which in one transaction updates the instance and releases
// its lock, creates sub-orchestration instances, inserts outgoing events,
// deletes the consumed ones, inserts the new history rows and the new
// activity tasks. A History primary-key violation means another worker ran
// the same step after this one's lock expired: the step is discarded as a
// duplicate execution, as it is when the instance's execution is no longer
// the one the step read (the checkpoint's Read: another worker's step began
// a new execution meanwhile, as every entity batch does). An activity is LockNextTask, the activity, then
// CompleteTasks (the result goes to the instance's NewEvents and the task
// row is deleted; a task already gone is a duplicate). A failed call is
// abandoned as the provider does: the lock expires (LockTimeout, default
// 2 min) and another poll takes the work again.
//
// Polling (poll.go) is the provider's randomized exponential back-off, one
// per dispatcher (orchestrations, activities): 50 ms minimum, 50 ms delta
// doubling, 3 s maximum, ±20 % jitter; a hit resets it, and a checkpoint
// that creates tasks (or events) or an activity completion wakes the
// worker's own pollers at once; other workers learn only by polling. The
// client waits by polling QueryInstance every second; its raises carry a
// request id, so a retry of one that took effect inserts nothing. While
// polls fail a worker reports Health restarting with the error, and a
// schema that went missing is created again.
//
// Entities (entity.go) run as the provider runs them: an entity id
// ("@name@key") is an instance whose events are locked and checkpointed
// like an orchestration's, created by the first signal or message to it;
// its state is one History row, replaced each batch, and critical
// sections are engine/replay's lock forwarding from entity to entity.
//
// CPU work reported to the simulator: "orchestration-step" per step and
// "replay-event" per history event replayed (every step replays in full),
// "entity-step" per entity batch and "entity-op" per operation.
//
// Everything is deterministic: time comes with Step, jitter from a seeded
// generator (engine/backoff.Rand), no output depends on map order.
package sql
