package port

import (
	"context"
	"fmt"
)

// Stream limits (as Event Hubs standard tier; NATS' default max payload).
const (
	MaxStreamBatchBytes = 1 << 20 // records of one append, summed
	MaxStreamRead       = 10000   // records per read
	MaxConsumerNameLen  = 256
)

// Records is a run of consecutive records of one partition: Records[i] is
// at position First+i. End is the partition's length when it was read.
type Records struct {
	First   int64
	Records [][]byte
	End     int64
}

// Stream is a partitioned, ordered, durable log (Event Hubs-like).
// Positions are record indices from 0, consecutive per partition; an
// acknowledged append is durable and keeps its positions.
type Stream interface {
	// Partitions returns the number of partitions ("stream-partitions").
	Partitions(ctx context.Context) (int, error)
	// Append appends a batch (1+ records, at most MaxStreamBatchBytes in
	// all) to partition p and returns the first record's position
	// ("stream-append").
	Append(ctx context.Context, p int, records [][]byte) (first int64, err error)
	// Read returns up to max (1..MaxStreamRead) records of partition p from
	// position from; what exists now, possibly none ("stream-read").
	Read(ctx context.Context, p int, from int64, max int) (Records, error)
}

// Cursors store named consumers' positions in a Stream (Event Hubs
// checkpoints).
type Cursors interface {
	// CommitPosition records consumer's position in partition p
	// ("stream-commit").
	CommitPosition(ctx context.Context, consumer string, p int, pos int64) error
	// Position returns the last committed position; ErrNotFound if none
	// ("stream-position").
	Position(ctx context.Context, consumer string, p int) (int64, error)
}

// ValidPartition checks a partition index against n partitions.
func ValidPartition(p, n int) error {
	if p < 0 || p >= n {
		return BadRequest("partition", p, fmt.Sprintf("0..%d", n-1))
	}
	return nil
}

// ValidAppend checks an append batch.
func ValidAppend(records [][]byte) error {
	if len(records) == 0 {
		return BadRequest("records", 0, "1 or more records")
	}
	total := 0
	for _, r := range records {
		total += len(r)
	}
	if total > MaxStreamBatchBytes {
		return TooLarge("stream batch", total, MaxStreamBatchBytes)
	}
	return nil
}

// ValidRead checks a read's position and count.
func ValidRead(from int64, max int) error {
	if from < 0 {
		return BadRequest("from", from, ">= 0")
	}
	if max < 1 || max > MaxStreamRead {
		return BadRequest("max", max, "1..10000")
	}
	return nil
}

// ValidConsumer checks a consumer name and position.
func ValidConsumer(name string, pos int64) error {
	if name == "" || len(name) > MaxConsumerNameLen {
		return BadRequest("consumer", fmt.Sprintf("%q", name), "1..256 characters")
	}
	if pos < 0 {
		return BadRequest("position", pos, ">= 0")
	}
	return nil
}

// RecordsBytes sums the sizes of records.
func RecordsBytes(records [][]byte) int {
	n := 0
	for _, r := range records {
		n += len(r)
	}
	return n
}
