package disk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

func (s *Store) cursorPath(consumer string, p int) string {
	return filepath.Join(s.st.dir, "cursors", fmt.Sprintf("%s.p%03d", key(consumer), p))
}

// CommitPosition implements port.Cursors (write temp, fsync, rename).
func (s *Store) CommitPosition(_ context.Context, consumer string, p int, pos int64) error {
	if _, err := s.segment(p); err != nil {
		return err
	}
	if err := port.ValidConsumer(consumer, pos); err != nil {
		return err
	}
	path := s.cursorPath(consumer, p)
	f, err := os.CreateTemp(filepath.Dir(path), "tmp*")
	if err != nil {
		return fmt.Errorf("commit position: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(strconv.FormatInt(pos, 10))
	if err == nil {
		err = fsyncAs(f, syncOther)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("commit position %q p%d: %w", consumer, p, err)
	}
	return nil
}

// Position implements port.Cursors.
func (s *Store) Position(_ context.Context, consumer string, p int) (int64, error) {
	if _, err := s.segment(p); err != nil {
		return 0, err
	}
	raw, err := os.ReadFile(s.cursorPath(consumer, p))
	if errors.Is(err, os.ErrNotExist) {
		return 0, port.NotFound("consumer position", consumer)
	}
	if err != nil {
		return 0, fmt.Errorf("position %q p%d: %w", consumer, p, err)
	}
	pos, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return 0, port.Corrupt(s.cursorPath(consumer, p), 0, "a decimal stream position")
	}
	return pos, nil
}
