//go:build linux

package disk

import (
	"os"
	"syscall"
)

// datasync flushes f's data (and the metadata needed to read it).
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// lseek whences for sparse files (linux/fs.h).
const (
	seekData = 3
	seekHole = 4
)

// holeSkipMin is the smallest read that looks for holes first.
const holeSkipMin = 64 << 10

// readData fills buf (zeroed, as make returns it) with the file's bytes at
// off, reading only the extents that hold data: a page blob is a sparse
// file, and recovery reads megabytes of a commit log nobody wrote yet, which
// would otherwise be copied from the kernel's zero page into fresh memory
// (and fault every page of it in). A file system without SEEK_DATA reads it all.
func readData(f *os.File, buf []byte, off int64) error {
	if len(buf) < holeSkipMin {
		_, err := f.ReadAt(buf, off)
		return err
	}
	fd := int(f.Fd())
	end := off + int64(len(buf))
	for pos := off; pos < end; {
		d, err := syscall.Seek(fd, pos, seekData)
		if err == syscall.ENXIO {
			return nil // only a hole after pos
		}
		if err != nil {
			_, err = f.ReadAt(buf[pos-off:], pos)
			return err
		}
		if d >= end {
			return nil
		}
		h, err := syscall.Seek(fd, d, seekHole)
		if err != nil || h > end || h <= d {
			h = end
		}
		if _, err := f.ReadAt(buf[d-off:h-off], d); err != nil {
			return err
		}
		pos = h
	}
	return nil
}
