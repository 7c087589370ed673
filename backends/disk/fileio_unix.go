//go:build unix

package disk

import (
	"os"
	"syscall"
)

func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

func tryLockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// preallocate reserves size bytes for f (sparse truncate if the file
// system cannot allocate).
func preallocate(f *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	if err := fallocate(f, size); err == nil {
		return nil
	}
	return f.Truncate(size)
}
