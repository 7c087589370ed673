package nats

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/dflab/dflab/engine/port"
)

// cursorKey is the bucket key of consumer's position in partition p; the
// consumer name is base64url-encoded to fit the key alphabet.
func cursorKey(consumer string, p int) string {
	return "c" + base64.RawURLEncoding.EncodeToString([]byte(consumer)) + ".p" + strconv.Itoa(p)
}

// CommitPosition implements port.Cursors.
func (s *Stream) CommitPosition(ctx context.Context, consumer string, p int, pos int64) error {
	if err := port.ValidConsumer(consumer, pos); err != nil {
		return err
	}
	if err := port.ValidPartition(p, s.opt.Partitions); err != nil {
		return err
	}
	err := retryIdempotent(ctx, func(ctx context.Context) error {
		_, err := s.cursors.Put(ctx, cursorKey(consumer, p), []byte(strconv.FormatInt(pos, 10)))
		return err
	})
	if err != nil {
		return fmt.Errorf("nats commit position %q p%d: %w", consumer, p, err)
	}
	return nil
}

// Position implements port.Cursors.
func (s *Stream) Position(ctx context.Context, consumer string, p int) (int64, error) {
	if err := port.ValidConsumer(consumer, 0); err != nil {
		return 0, err
	}
	if err := port.ValidPartition(p, s.opt.Partitions); err != nil {
		return 0, err
	}
	var e jetstream.KeyValueEntry
	err := retryIdempotent(ctx, func(ctx context.Context) (err error) {
		e, err = s.cursors.Get(ctx, cursorKey(consumer, p))
		return err
	})
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, fmt.Errorf("nats position %q p%d: %w", consumer, p, port.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("nats position %q p%d: %w", consumer, p, err)
	}
	pos, err := strconv.ParseInt(string(e.Value()), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("nats position %q p%d: stored value %q is not a position", consumer, p, e.Value())
	}
	return pos, nil
}
