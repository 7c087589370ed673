package meter

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

type streamM struct {
	in port.Stream
	m  *Meter
}

func (s streamM) Partitions(ctx context.Context) (int, error) {
	return do(s.m, "stream-partitions", 0, func() (int, error) { return s.in.Partitions(ctx) }, nil)
}

func (s streamM) Append(ctx context.Context, p int, records [][]byte) (int64, error) {
	first, err := s.in.Append(ctx, p, records)
	c := Counts{Requests: 1, BytesWritten: int64(port.RecordsBytes(records))}
	if err != nil {
		c.Errors = 1
	} else {
		c.Events = Events(records)
	}
	s.m.record("stream-append", c)
	return first, err
}

func (s streamM) Read(ctx context.Context, p int, from int64, max int) (port.Records, error) {
	return do(s.m, "stream-read", 0, func() (port.Records, error) { return s.in.Read(ctx, p, from, max) },
		func(r port.Records) int { return port.RecordsBytes(r.Records) })
}

type cursorsM struct {
	in port.Cursors
	m  *Meter
}

func (c cursorsM) CommitPosition(ctx context.Context, consumer string, p int, pos int64) error {
	return do0(c.m, "stream-commit", 0, func() error { return c.in.CommitPosition(ctx, consumer, p, pos) })
}

func (c cursorsM) Position(ctx context.Context, consumer string, p int) (int64, error) {
	return do(c.m, "stream-position", 0, func() (int64, error) { return c.in.Position(ctx, consumer, p) }, nil)
}
