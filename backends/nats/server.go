package nats

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/dflab/dflab/engine/port"
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
	return startServer(embeddedOptions(dir, fsync))
}

func embeddedOptions(dir string, fsync bool) *server.Options {
	return &server.Options{
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
}

func startServer(opts *server.Options) (*EmbeddedServer, error) {
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

// EmbeddedCluster is a JetStream cluster of servers running in this
// process, all on 127.0.0.1 (kernel-chosen client ports).
type EmbeddedCluster struct {
	servers []*EmbeddedServer
}

// StartCluster starts n (3..7) clustered JetStream servers keeping their
// data under dir/s<i> and waits until the cluster has a meta leader, so
// that replicated streams can be created.
func StartCluster(dir string, n int, fsync bool) (*EmbeddedCluster, error) {
	if n < 3 || n > 7 {
		return nil, port.BadRequest("n", n, "3..7 servers")
	}
	routes := make([]*url.URL, n)
	ports := make([]int, n)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("nats: cluster port: %w", err)
		}
		ports[i], routes[i] = p, &url.URL{Scheme: "nats", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p))}
	}
	c := &EmbeddedCluster{}
	for i := 0; i < n; i++ {
		opts := embeddedOptions(filepath.Join(dir, fmt.Sprintf("s%d", i)), fsync)
		opts.ServerName = fmt.Sprintf("s%d", i)
		opts.Cluster = server.ClusterOpts{Name: "dflab", Host: "127.0.0.1", Port: ports[i]}
		opts.Routes = routes
		e, err := startServer(opts)
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.servers = append(c.servers, e)
	}
	// Ready when the meta leader knows every server as a JetStream peer
	// with its stats: a leader alone places an R3 stream on whichever
	// peers it has heard from, and refuses it ("no suitable peers for
	// placement") until there are three.
	deadline := time.Now().Add(60 * time.Second)
	for c.peers() < n {
		if time.Now().After(deadline) {
			c.Stop()
			return nil, fmt.Errorf("nats: cluster of %d: the JetStream meta leader knows %d peers after 60s", n, c.peers())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return c, nil
}

// peers is how many JetStream peers the meta leader knows (0 without a
// leader).
func (c *EmbeddedCluster) peers() int {
	for _, s := range c.servers {
		if s != nil && s.srv.JetStreamIsLeader() {
			return len(s.srv.JetStreamClusterPeers())
		}
	}
	return 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URLs are the client URLs of the servers still running, comma-separated.
func (c *EmbeddedCluster) URLs() string {
	var urls []string
	for _, s := range c.servers {
		if s != nil {
			urls = append(urls, s.URL())
		}
	}
	return strings.Join(urls, ",")
}

// StopServer stops server i (0-based), as a failure would.
func (c *EmbeddedCluster) StopServer(i int) {
	if i >= 0 && i < len(c.servers) && c.servers[i] != nil {
		c.servers[i].Stop()
		c.servers[i] = nil
	}
}

// Stop stops every server.
func (c *EmbeddedCluster) Stop() {
	for i := range c.servers {
		c.StopServer(i)
	}
}
