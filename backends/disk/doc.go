// Package disk is the local-file storage backend a single-machine
// Netherite uses for durable runs: Blob (block, page and append blobs),
// Leases, Syncer, Stream and Cursors on files with fsync.
//
// Layout under the directory given to Open:
//
//	blobs/<key>.blob   one file per blob: a 4 KiB header (magic, type,
//	                   version, ETag incarnation and generation, block count,
//	                   data size, a CRC-32C of the header, name) then the
//	                   data. Page blobs are sparse files of their size.
//	blobs/<key>.lease  the blob's lease record (JSON padded with spaces to
//	                   whole 512-byte sectors, rewritten in place), and the
//	                   lock file: every write to the blob and every lease
//	                   operation runs under flock(LOCK_EX) on it, reads the
//	                   lease and checks the fence, so several processes can
//	                   share the directory and a lost or expired lease is seen.
//	                   A store keeps the lease and blob files of up to 256
//	                   written blobs open between operations (no open and
//	                   close per log flush); the flock, the lease and the
//	                   header are still taken and read again per operation,
//	                   and a blob file replaced or deleted meanwhile is seen
//	                   by its link count and opened again.
//	stream/p000.seg    one append-only segment per partition: an 8 KiB
//	                   header (a magic and two committed-length slots, each
//	                   a seq, the end offset and record count, a CRC-32C,
//	                   in its own page), then one frame per Append (a
//	                   header with the record count, body size, first
//	                   record index and its own CRC-32C; then the records
//	                   as u32 length, u32 CRC-32C, data).
//	stream/PARTITIONS  the partition count, written once the segments exist.
//	stream/JOURNAL     the appends not yet synced in their segments.
//	stream/cursors/    one small file per (consumer, partition).
//
// <key> is a hash of the blob name. Durability: block blob puts and blob
// creation write a temporary file, fsync it, rename it into place and fsync
// the directory (atomic: old or new content). Page writes and append blocks
// are fdatasync'ed per write with BlobSync SyncPerWrite (the default) or
// only at SyncBlob with SyncOnFlush. Lease changes are fsync'ed. A stream
// Append writes its frame and the next committed-length slot into its
// segment (the two slots alternate) and is acknowledged once a record of
// both is durable in stream/JOURNAL: concurrent appends to any partitions
// share one write and one fdatasync of the journal (group commit across
// partitions, journal.go); Open replays the journal into the segments
// before it scans them, so what a crash kept from a segment is restored.
// Appends to a segment are serial. The segments are fdatasync'ed and the
// journal emptied when it passes 8 MiB and at Close, which writes one more
// slot with the same length.
// One process at a time may open a directory's stream (an flock on
// stream/LOCK enforces it).
//
// Corruption: what was acknowledged is either read back as written or
// refused with an error wrapping port.ErrCorrupt that names the file, the
// offset and what was expected there — a blob header that fails its CRC, a
// page or block blob whose file is shorter or longer than its header says,
// a lease record that is not one, a segment without its magic or missing,
// a stream record that fails its CRC when read. Open rebuilds each
// segment's record index up to the committed length of its newest valid
// slot: a segment shorter than that, cut at a frame boundary or not, or
// damaged before it, is refused, except that after a crash (no clean
// Close since the last append) the last append's frame may be incomplete
// or missing — its sync was interrupted, so it was never acknowledged:
// that torn tail is cut back to the slot before, and Options.Logf says so.
// Bytes after the committed length (an append whose slot did not reach
// the disk) are cut and logged the same way (segment.go).
//
// Time: lease expiry reads only the clock passed to Open. ETags are
// unique per blob incarnation (random at creation) and write generation.
package disk
