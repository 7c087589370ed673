package dflab

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/backends/nats"
	"github.com/dflab/dflab/backends/postgres"
	"github.com/dflab/dflab/engine/port"
)

// openStores opens the storage and, when partitions > 0, a stream with that
// many partitions.
func (e *Engine) openStores(ctx context.Context, o Options, partitions int) (*port.Stores, error) {
	var stores *port.Stores
	switch o.Storage {
	case "mem":
		st, err := mem.New(wallClock, mem.Options{Partitions: partitions})
		if err != nil {
			return nil, err
		}
		stores = st.Stores()
	case "disk":
		if o.Dir == "" {
			return nil, fmt.Errorf("Options.Storage = disk needs Options.Dir")
		}
		st, err := disk.Open(filepath.Join(o.Dir, "storage"), wallClock, disk.Options{Partitions: partitions, Logf: o.Logf})
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, st.Close)
		stores = st.Stores()
	case "azure":
		if o.ConnectionString == "" {
			return nil, fmt.Errorf("Options.Storage = azure needs Options.ConnectionString")
		}
		st, err := azure.Open(ctx, o.ConnectionString, azure.Options{Namespace: o.Namespace})
		if err != nil {
			return nil, err
		}
		if o.DropOnStop {
			e.closers = append(e.closers, func() error {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				return st.Drop(ctx)
			})
		}
		stores = st.Stores()
	case "postgres":
		if o.ConnectionString == "" {
			return nil, fmt.Errorf("Options.Storage = postgres needs Options.ConnectionString")
		}
		st, err := postgres.Open(ctx, o.ConnectionString, postgres.Options{Schema: o.Namespace})
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, func() error { st.Close(); return nil })
		stores = st.Stores()
	default:
		return nil, fmt.Errorf("Options.Storage = %q: allowed mem, disk, azure, postgres", o.Storage)
	}
	if partitions == 0 {
		return stores, nil
	}
	return e.withTransport(ctx, o, stores, partitions)
}

func (e *Engine) withTransport(ctx context.Context, o Options, stores *port.Stores, partitions int) (*port.Stores, error) {
	transport := o.Transport
	if transport == "" {
		if stores.Stream != nil {
			return stores, nil
		}
		transport = "nats"
	}
	s := *stores
	switch transport {
	case "mem":
		st, err := mem.New(wallClock, mem.Options{Partitions: partitions})
		if err != nil {
			return nil, err
		}
		s.Stream, s.Cursors = st.Stores().Stream, st.Stores().Cursors
	case "disk":
		if o.Storage == "disk" {
			return stores, nil
		}
		if o.Dir == "" {
			return nil, fmt.Errorf("Options.Transport = disk needs Options.Dir")
		}
		st, err := disk.Open(filepath.Join(o.Dir, "transport"), wallClock, disk.Options{Partitions: partitions, Logf: o.Logf})
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, st.Close)
		s.Stream, s.Cursors = st.Stores().Stream, st.Stores().Cursors
	case "nats":
		if o.NATSURL == "" && o.Dir == "" {
			return nil, fmt.Errorf("Options.Transport = nats needs Options.NATSURL or Options.Dir (for an embedded server)")
		}
		st, err := nats.Open(ctx, nats.Options{URL: o.NATSURL, Dir: filepath.Join(o.Dir, "nats"), Name: o.Hub, Partitions: partitions, Replicas: o.NATSReplicas})
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, func() error { st.Close(); return nil })
		s.Stream, s.Cursors = st, st
	default:
		return nil, fmt.Errorf("Options.Transport = %q: allowed mem, disk, nats", transport)
	}
	return &s, nil
}
