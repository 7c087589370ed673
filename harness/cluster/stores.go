package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/backends/nats"
	"github.com/dflab/dflab/engine/port"
)

// Shared names the storage the processes of a cluster share.
type Shared struct {
	// ConnectionString is the Azure Storage (Azurite) connection string.
	ConnectionString string
	// Namespace isolates the cluster's objects in the account ("": none).
	Namespace string
	// NATSURL lists the NATS servers (comma-separated) of the transport.
	NATSURL string
	// NATSReplicas is how many servers keep each stream (0: 1).
	NATSReplicas int
}

func (s Shared) check(stream bool) error {
	if s.ConnectionString == "" {
		return fmt.Errorf("cluster: connection string is empty: set --connection (or its environment variable) to an Azure Storage or Azurite connection string")
	}
	if stream && s.NATSURL == "" {
		return fmt.Errorf("cluster: NATS URL is empty: set --nats to the NATS server URLs (comma-separated)")
	}
	return nil
}

// open opens the shared storage and, if streams > 0, a transport with
// streams partitions named after hub; close closes the transport.
func (s Shared) open(ctx context.Context, hub string, streams int) (st *port.Stores, closeFn func(), err error) {
	if err := s.check(streams > 0); err != nil {
		return nil, nil, err
	}
	az, err := azure.Open(ctx, s.ConnectionString, azure.Options{Namespace: s.Namespace})
	if err != nil {
		return nil, nil, err
	}
	if streams == 0 {
		return az.Stores(), func() {}, nil
	}
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ns, err := nats.Open(octx, nats.Options{URL: s.NATSURL, Name: hub, Partitions: streams, Replicas: s.NATSReplicas})
	if err != nil {
		return nil, nil, err
	}
	stores := az.Stores()
	stores.Stream, stores.Cursors = ns, ns
	return stores, ns.Close, nil
}
