package mem

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

type cursorKey struct {
	consumer string
	part     int
}

// Partitions implements port.Stream.
func (s *Store) Partitions(context.Context) (int, error) { return len(s.parts), nil }

// Append implements port.Stream.
func (s *Store) Append(_ context.Context, p int, records [][]byte) (int64, error) {
	if err := port.ValidPartition(p, len(s.parts)); err != nil {
		return 0, err
	}
	if err := port.ValidAppend(records); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	first := int64(len(s.parts[p]))
	for _, r := range records {
		s.parts[p] = append(s.parts[p], clone(r))
	}
	return first, nil
}

// Read implements port.Stream.
func (s *Store) Read(_ context.Context, p int, from int64, max int) (port.Records, error) {
	if err := port.ValidPartition(p, len(s.parts)); err != nil {
		return port.Records{}, err
	}
	if err := port.ValidRead(from, max); err != nil {
		return port.Records{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.parts[p]
	out := port.Records{First: from, End: int64(len(log))}
	for i := from; i < int64(len(log)) && len(out.Records) < max; i++ {
		out.Records = append(out.Records, clone(log[i]))
	}
	return out, nil
}

// CommitPosition implements port.Cursors.
func (s *Store) CommitPosition(_ context.Context, consumer string, p int, pos int64) error {
	if err := port.ValidPartition(p, len(s.parts)); err != nil {
		return err
	}
	if err := port.ValidConsumer(consumer, pos); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors[cursorKey{consumer, p}] = pos
	return nil
}

// Position implements port.Cursors.
func (s *Store) Position(_ context.Context, consumer string, p int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pos, ok := s.cursors[cursorKey{consumer, p}]
	if !ok {
		return 0, port.NotFound("consumer position", consumer)
	}
	return pos, nil
}
