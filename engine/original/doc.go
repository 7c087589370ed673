// Package original is the original Durable Functions engine design
// (DurableTask.AzureStorage) as deterministic cores: a Worker core per node
// and a Client core.
//
// Storage layout of a task hub (names.go): C control queues
// "<hub>-control-NN" (instances are placed by durable.Partition(id, C)),
// one work-item queue "<hub>-workitems" shared by all nodes, a History
// table (one row per history event, PartitionKey = instance id, RowKey =
// zero-padded sequence, plus a "sentinel" row holding the execution id,
// the committed length and the ETag every history write is conditioned
// on), an Instances table (status, name, input, output, custom status,
// failure, timestamps, execution id; entity state lives in the entity's
// row), one lease blob per control queue, and a blob container for
// payloads too large for a queue message or a table property.
//
// A worker owns the control queues whose leases it holds (leases.go) and
// polls them with randomized exponential back-off (polling.go). An
// orchestration step (orchestration.go) dequeues a batch, groups it by
// instance, loads the history with a table query (full replay unless
// extended sessions are on), runs engine/replay, then in the provider's
// order (1) enqueues the outbound messages one request each, (2) writes
// the new history rows in batch transactions with an ETag check on the
// sentinel and updates the Instances row, (3) deletes the processed
// messages. A crash between steps leaves duplicates that replay filters
// out; messages that arrive before the history that expects them are put
// back with a growing delay (and discarded after MaxEarlyDequeues), and a
// timer message of an attempt that did not commit is dropped. Entities
// (entities.go) use the same queues; their state lives in their Instances
// row. Unlike orchestrations (and the provider's entities), an entity step
// commits before it sends: it writes its row with the step's messages in
// an outbox, then enqueues them, then deletes its inputs, so no message
// leaves a step that a redo could compute differently. Receivers that task
// ids do not protect (entities, and orchestrations receiving events from
// other orchestrations) drop duplicates by (sender, sequence number),
// numbered by the sending action or by what the message is, so that a
// redone step resends the same numbers (dedup.go); an entity applies each
// sender's messages in send order (envelope.Prev for orchestrations,
// envelope.Index for entities), and the calls inside a critical section
// only after the lock request forwarded to it, putting back a message
// whose predecessor is not applied yet. Activities (activities.go) are
// dequeued from the work-item queue, run, answered, then deleted.
//
// A worker owns the control queues whose lease blobs it holds a lease on
// (leases.go): it takes free leases up to its fair share ceil(C/Nodes),
// steals one at a time from a worker over its share, and after two lease
// intervals also takes leases left free by a node that did not come back.
// MaxSessions bounds the instances stepped at once and BufferThreshold the
// dequeued messages held in memory (knobs.go has every knob and default).
//
// Health (port.Health, unit control-NN) says which worker owns a queue.
// Stored data that does not parse (a History or Instances row) is refused
// with an error wrapping port.ErrCorrupt that names the table, partition
// key and row, never retried: a worker that meets it in a step fails the
// step's control queue for good (health failed, polled no more; it keeps
// the lease so no other worker spins on it), and the client core, told so
// (QueueDown), fails the calls for that queue's instances with
// ErrQueueFailed; a client call that reads a corrupt Instances row fails
// with that error.
//
// CPU work reported to the simulator (port.Work kinds): "orchestration-step"
// per step, "replay-event" per history event replayed (the cost of full
// replay), "entity-step" per entity batch and "entity-op" per operation.
//
// Everything is deterministic: time comes with Step, randomness from a
// seeded generator (engine/backoff.Rand), and no output depends on map order.
package original
