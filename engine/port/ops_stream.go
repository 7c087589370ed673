package port

import (
	"context"
	"strconv"
)

// StreamPartitions is Stream.Partitions ("stream-partitions"); result: int.
type StreamPartitions struct{}

// StreamAppend is Stream.Append ("stream-append"); result: int64 (first position).
type StreamAppend struct {
	Partition int
	Records   [][]byte
}

// StreamRead is Stream.Read ("stream-read"); result: Records.
type StreamRead struct {
	Partition int
	From      int64
	Max       int
}

// StreamCommit is Cursors.CommitPosition ("stream-commit"); result: nil.
type StreamCommit struct {
	Consumer  string
	Partition int
	Pos       int64
}

// StreamPosition is Cursors.Position ("stream-position"); result: int64.
type StreamPosition struct {
	Consumer  string
	Partition int
}

func (StreamPartitions) Kind() OpKind { return KindStreamPartitions }
func (StreamAppend) Kind() OpKind     { return KindStreamAppend }
func (StreamRead) Kind() OpKind       { return KindStreamRead }
func (StreamCommit) Kind() OpKind     { return KindStreamCommit }
func (StreamPosition) Kind() OpKind   { return KindStreamPosition }

// Target implements Op: "stream/<partition>" ("" for the partition count).
func (StreamPartitions) Target() string { return "" }
func (o StreamAppend) Target() string   { return streamTarget(o.Partition) }
func (o StreamRead) Target() string     { return streamTarget(o.Partition) }
func (o StreamCommit) Target() string   { return streamTarget(o.Partition) }
func (o StreamPosition) Target() string { return streamTarget(o.Partition) }

func streamTarget(p int) string { return "stream/" + strconv.Itoa(p) }

func (StreamPartitions) Bytes() int { return 0 }
func (o StreamAppend) Bytes() int   { return RecordsBytes(o.Records) }
func (StreamRead) Bytes() int       { return 0 }
func (StreamCommit) Bytes() int     { return 0 }
func (StreamPosition) Bytes() int   { return 0 }

// Apply implements Op.
func (o StreamPartitions) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Stream == nil {
		return nil, noStore(o.Kind(), "Stream")
	}
	return s.Stream.Partitions(ctx)
}

// Apply implements Op.
func (o StreamAppend) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Stream == nil {
		return nil, noStore(o.Kind(), "Stream")
	}
	return s.Stream.Append(ctx, o.Partition, o.Records)
}

// Apply implements Op.
func (o StreamRead) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Stream == nil {
		return nil, noStore(o.Kind(), "Stream")
	}
	return s.Stream.Read(ctx, o.Partition, o.From, o.Max)
}

// Apply implements Op.
func (o StreamCommit) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Cursors == nil {
		return nil, noStore(o.Kind(), "Cursors")
	}
	return nil, s.Cursors.CommitPosition(ctx, o.Consumer, o.Partition, o.Pos)
}

// Apply implements Op.
func (o StreamPosition) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Cursors == nil {
		return nil, noStore(o.Kind(), "Cursors")
	}
	return s.Cursors.Position(ctx, o.Consumer, o.Partition)
}
