//go:build unix && !linux

package disk

import "os"

func datasync(f *os.File) error { return f.Sync() }

// readData reads len(buf) bytes at off.
func readData(f *os.File, buf []byte, off int64) error {
	_, err := f.ReadAt(buf, off)
	return err
}
