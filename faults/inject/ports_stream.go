package inject

import (
	"context"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
)

type streamI struct {
	in port.Stream
	j  *Injector
}

func (s streamI) Partitions(ctx context.Context) (int, error) {
	return call(ctx, s.j, "stream-partitions", func() (int, error) { return s.in.Partitions(ctx) })
}

// Append may append the batch a second time (duplicate stream): the caller
// gets the first copy's position, receivers see the batch twice and must
// drop the duplicate by (origin, position).
func (s streamI) Append(ctx context.Context, p int, records [][]byte) (int64, error) {
	const kind = "stream-append"
	return callWith(ctx, s.j, kind, func(d decision) (int64, error) {
		first, err := s.in.Append(ctx, p, records)
		if err != nil || !d.dup {
			return first, err
		}
		if _, derr := s.in.Append(ctx, p, records); derr == nil {
			s.j.count(plan.DuplicateStream, kind)
		}
		return first, nil
	})
}

func (s streamI) Read(ctx context.Context, p int, from int64, max int) (port.Records, error) {
	return call(ctx, s.j, "stream-read", func() (port.Records, error) { return s.in.Read(ctx, p, from, max) })
}

type cursorsI struct {
	in port.Cursors
	j  *Injector
}

func (c cursorsI) CommitPosition(ctx context.Context, consumer string, p int, pos int64) error {
	return call0(ctx, c.j, "stream-commit", func() error { return c.in.CommitPosition(ctx, consumer, p, pos) })
}

func (c cursorsI) Position(ctx context.Context, consumer string, p int) (int64, error) {
	return call(ctx, c.j, "stream-position", func() (int64, error) { return c.in.Position(ctx, consumer, p) })
}
