// Package disk is the local-file storage backend a single-machine
// Netherite uses for durable runs: Blob (block, page and append blobs),
// Leases, Syncer, Stream and Cursors on files with fsync.
//
// Layout under the directory given to Open:
//
//	blobs/<key>.blob   one file per blob: a 4 KiB header (magic, type, ETag
//	                   incarnation and generation, block count, name) then
//	                   the data. Page blobs are preallocated to their size.
//	blobs/<key>.lease  the blob's lease record (JSON), and the lock file:
//	                   every write to the blob and every lease operation
//	                   runs under flock(LOCK_EX) on it, reads the lease and
//	                   checks the fence, so several processes can share the
//	                   directory and a lost or expired lease is seen.
//	stream/p000.seg    one append-only segment per partition: records as
//	                   u32 length, u32 CRC-32C, data.
//	stream/cursors/    one small file per (consumer, partition).
//
// <key> is a hash of the blob name. Durability: block blob puts and blob
// creation write a temporary file, fsync it, rename it into place and fsync
// the directory (atomic: old or new content). Page writes and append blocks
// are fdatasync'ed per write with BlobSync SyncPerWrite (the default) or
// only at SyncBlob with SyncOnFlush. Lease changes are fsync'ed. A stream
// Append writes its batch with one write and one fdatasync before it is
// acknowledged (group commit per batch); Open rebuilds each partition's
// record index by scanning its segment and cuts a torn tail (a short or
// checksum-failing last record) off the file. One process at a time may
// open a directory's stream (an flock on stream/LOCK enforces it).
//
// Time: lease expiry reads only the clock passed to Open. ETags are
// unique per blob incarnation (random at creation) and write generation.
package disk
