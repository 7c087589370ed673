package golden

import (
	"context"
	"errors"
	"fmt"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
)

// scheduleDamages arranges the script's damage lines on the kernel.
func (r *run) scheduleDamages(d *sim.Driver, store *mem.Store) {
	for _, dm := range r.s.Damages {
		dm := dm
		d.Kernel().Schedule(dm.At, sim.HandlerFunc(func(now port.Time, _ uint64) {
			err := r.damage(store, dm)
			r.counters["damages"]++
			r.logs = append(r.logs, fmt.Sprintf("runner: %s at %s: %v", dm, fmtTime(now), orOK(err)))
		}), 0)
	}
}

func orOK(err error) string {
	if err == nil {
		return "done"
	}
	return err.Error()
}

// damage rewrites the bytes of one blob behind the engine's back: the
// blob's lease is broken first (a stray write does not hold it).
func (r *run) damage(store *mem.Store, dm Damage) error {
	ctx := context.Background()
	off := dm.Off
	if dm.Last {
		at, ok := r.lastWrite[dm.Blob]
		if !ok {
			return fmt.Errorf("no page write to %s was acknowledged yet", dm.Blob)
		}
		off += at
	}
	n := int64(1)
	if dm.Zero {
		n = dm.N
	}
	mutate := func(b []byte) {
		if dm.Zero {
			clear(b)
			return
		}
		b[0] ^= 0x40
	}
	if _, err := store.BreakLease(ctx, dm.Blob, 0); err != nil && !errors.Is(err, port.ErrConflict) {
		return err
	}
	from := off / port.PageSize * port.PageSize
	pages := (off + n - from + port.PageSize - 1) / port.PageSize * port.PageSize
	data, err := store.ReadPages(ctx, dm.Blob, from, pages)
	if errors.Is(err, port.ErrConflict) { // not a page blob
		bd, err := store.GetBlob(ctx, dm.Blob, port.Range{})
		if err != nil {
			return err
		}
		if off+n > int64(len(bd.Data)) {
			return fmt.Errorf("offset %d+%d beyond the blob's %d bytes", off, n, len(bd.Data))
		}
		mutate(bd.Data[off : off+n])
		_, err = store.PutBlob(ctx, dm.Blob, bd.Data, port.Cond{})
		return err
	}
	if err != nil {
		return err
	}
	mutate(data[off-from : off-from+n])
	_, err = store.WritePages(ctx, dm.Blob, from, data, port.Cond{})
	return err
}
