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

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

func tryLockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// preallocate sets f's size without allocating it: a page blob is a
// sparse file that takes disk space only as its pages are written (as an
// Azure page blob is billed), so a partition's 64 MiB commit log costs
// what it holds, not 64 MiB each.
func preallocate(f *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	return f.Truncate(size)
}
