//go:build linux

package disk

import (
	"os"
	"syscall"
)

func fallocate(f *os.File, size int64) error { return syscall.Fallocate(int(f.Fd()), 0, 0, size) }

// datasync flushes f's data (and the metadata needed to read it).
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
