package nats

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Limits the embedded server is configured with.
const (
	// embeddedMaxPayload leaves room for a 1 MiB record plus headers
	// (port.MaxStreamBatchBytes); NATS's default is 1 MiB.
	embeddedMaxPayload = 4 << 20
	// embeddedMaxBatch is the records per atomic batch (server default 1000).
	embeddedMaxBatch = 10000
)

// EmbeddedServer is a NATS server with JetStream running in this process.
type EmbeddedServer struct {
	srv *server.Server
}

// StartEmbedded starts a JetStream server on 127.0.0.1 (kernel-chosen port)
// keeping its data in dir. With fsync it fsyncs every write before the ack.
func StartEmbedded(dir string, fsync bool) (*EmbeddedServer, error) {
	opts := &server.Options{
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
		JetStream:  true,
		StoreDir:   dir,
		SyncAlways: fsync,
		MaxPayload: embeddedMaxPayload,
		NoLog:      true,
		NoSigs:     true,
		JetStreamLimits: server.JSLimitOpts{
			MaxBatchSize:              embeddedMaxBatch,
			MaxBatchInflightPerStream: 256,
		},
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("nats: embedded server not ready after 30s")
	}
	return &EmbeddedServer{srv: srv}, nil
}

// URL is the client URL of the server.
func (e *EmbeddedServer) URL() string { return e.srv.ClientURL() }

// Stop shuts the server down and waits for it.
func (e *EmbeddedServer) Stop() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
