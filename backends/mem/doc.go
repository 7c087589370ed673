// Package mem is the in-process storage backend used by the simulator and
// unit tests. It implements every port of engine/port (Blob, PageBlob,
// AppendBlob, Leases, Syncer, Queue, QueueAdmin, Table, Stream, Cursors)
// with one mutex-protected Store.
//
// Determinism: mem starts no goroutines, reads time only from the clock
// passed to New (the simulator's virtual clock), generates ids, ETags and
// pop receipts from a counter, and sorts keys wherever output would depend
// on map order. The same sequence of calls at the same clock readings gives
// the same results.
//
// Crash semantics: a Store is "the cloud" — it outlives engine crashes, and
// every acknowledged operation survives. A request in flight at a crash is
// the driver's business (it decides, seeded, whether to Apply it).
// Options.DiskLike adds local-disk semantics for page and append blobs:
// their writes are acknowledged but volatile until SyncBlob; Crash(r) then
// loses unsynced writes deterministically from the caller's random source
// (each unsynced 512-byte page of a page write independently survives or
// not — torn writes; an append blob keeps a random prefix of its unsynced
// blocks). Block blobs (PutBlob), blob creation, leases, queues, tables and
// streams are durable on acknowledgement in every mode.
package mem
