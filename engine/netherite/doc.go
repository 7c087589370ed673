// Package netherite owns the Netherite engine's cores: the partition core
// (partition.go), the client core (client.go) and the load monitor
// (loadmonitor.go).
//
// A partition's state is a set of tracked objects (state.go: sessions,
// activities, timers, outbox, dedup, instances, histories with cached
// replay cursors, entity states) changed only by applying update events
// (update.go, apply.go) in log order. Work items (workitems.go) run
// orchestration steps through engine/replay cursors, entity batches
// through replay.ExecuteEntity and activities as port.ActivityTask.
// Update events are appended to the partition's commit log on a page blob
// (commitlog.go) with group commit; when state is applied relative to the
// flush is the speculation level (knobs.go; nonepending.go for none,
// global.go for global). Messages between partitions and to clients
// travel over the Stream port (transport.go, outbox.go), tagged with
// (origin, position) so receivers drop duplicates. Checkpoints
// (checkpoint.go) and recovery (recovery.go) restore a partition after a
// crash; a blob lease fences its log; restart.go starts a new life from
// storage after a storage error or a lost lease; move.go stops a partition
// gracefully so another core can take it over; standby.go is a core that
// waits for a partition's lease on another node and takes the partition
// over once the lease lapses (its owner's node crashed and did not come
// back).
//
// CPU work reported to the simulator (port.Work kinds): "orchestration-step"
// per orchestration work item, "entity-batch" per entity batch and
// "entity-op" per entity operation (the host's worker threads run these in
// Netherite), "log-flush" per commit-log flush, "receive" per stream record
// received and "checkpoint" per checkpoint (the partition's own thread).
//
// Corruption is refused, never cut or answered differently: recovery
// tells a torn tail (the last flush, cut by a crash: nothing valid follows
// it; cut and logged) from damage to acknowledged flushes (logcheck.go),
// checks the checkpoint's CRC, a log blob's length and presence (every log
// gets a checkpoint when created), and that the input stream still holds
// the record the state consumed last (inputcheck.go); any completion
// wrapping port.ErrCorrupt ends the partition too. A partition that stops
// for good reports port.Health failed with the reason (every state change
// is reported in Ready.Health); told so (PartitionDown), the client core
// fails the calls for its instances with ErrPartitionFailed. Other storage
// errors restart the partition from storage (restart.go), but not forever:
// after knob MaxFailedLives lives in a row ended in one without progress,
// the partition fails with the last error, so a storage service that
// never works again (revoked access, a deleted account) fails the calls
// instead of leaving them waiting.
//
// The load monitor core (loadmonitor.go) reads the partitions' load
// reports (offload.go) from a stream partition of its own, advises busy
// partitions to offload queued activities to partitions on idle nodes
// (they travel through the outbox like any message), and recommends a node
// count (Recommendation).
//
// Everything here is a deterministic state machine: no clocks, goroutines,
// channels or randomness; maps are iterated in sorted key order.
package netherite
