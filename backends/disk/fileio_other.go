//go:build unix && !linux

package disk

import (
	"errors"
	"os"
)

func fallocate(*os.File, int64) error { return errors.New("fallocate unsupported") }

func datasync(f *os.File) error { return f.Sync() }
