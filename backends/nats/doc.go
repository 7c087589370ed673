// Package nats implements the Stream and Cursors ports of engine/port on
// NATS JetStream: Netherite's partitioned, ordered, durable transport
// (Event Hubs in the paper) across processes.
//
// Mapping: partition i of a stream named N is its own JetStream stream
// N_p<i> bound to the one subject N.p<i>. Messages are never deleted, so
// the stream sequence of a record is its position plus one: positions are
// 0-based and consecutive per partition with no index to keep, and a read
// from position k is one batched direct get from sequence k+1. (One
// stream for all partitions would number records across partitions and
// need a per-partition index.)
//
// An append of one record is a JetStream publish waiting for its ack; an
// append of several records is a JetStream atomic batch (Nats-Batch-Id
// headers, committed by the last message), so that a batch lands whole and
// contiguous even with concurrent writers in other processes. Long batches
// ask the server for a flow-control ack every 256 records, and at most
// Options.MaxInflight appends are in flight per Stream (back-pressure: the
// next Append waits).
//
// Cost: on a single-replica file stream the server stages each atomic
// batch in a fresh temporary file store that it syncs before the commit,
// about 9 ms per batch on a 2-core machine whatever its size (1 to 1000
// records) and with or without fsync; a single-record append costs about
// 0.05 ms without fsync and 0.4 ms with it. Batching pays with fsync on or
// beyond ~200 records; memory streams stage in memory (~8 µs a record).
//
// Durability: an embedded server (Options.URL empty) fsyncs every write
// before acknowledging it (sync_always), unless Options.NoFsync, which
// keeps NATS's default of an fsync every two minutes; with a URL the
// server's own configuration decides. Cursors live in a JetStream
// key-value bucket N_cursors.
//
// The embedded server listens on 127.0.0.1 on a port the kernel picks and
// stops with Stream.Close.
package nats
