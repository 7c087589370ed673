package azurite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Account and Key are Azurite's well-known development account. The key is
// public (it is in Microsoft's documentation) and grants nothing outside a
// local emulator.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// binRel is where `npm ci` puts the Azurite launcher, relative to the
// repository root.
const binRel = "node_modules/.bin/azurite"

// ErrNotInstalled reports that node_modules/.bin/azurite is missing.
var ErrNotInstalled = errors.New("azurite: not installed (run `npm ci` at the repository root)")

// Options tune a server. The zero value is what tests want.
type Options struct {
	// Bin is the Azurite launcher; empty means <repo root>/node_modules/.bin/azurite.
	Bin string
	// ReadyTimeout bounds the wait for the three services to listen;
	// zero means 60 s (a cold Node start on a busy 2-core machine is slow).
	ReadyTimeout time.Duration
	// ExtentMemoryLimitMB caps Azurite's in-memory blob data; zero means 1024.
	ExtentMemoryLimitMB int
	// BlobPort, QueuePort and TablePort are the ports to listen on; zero
	// lets the kernel choose a free one (Azurite's own defaults are
	// DefaultPorts).
	BlobPort, QueuePort, TablePort int
	// Strict leaves out --skipApiVersionCheck and --loose, as a plain
	// `azurite` start does: Azurite then refuses the SDK's newer API
	// version with HTTP 400 InvalidHeaderValue (for the test of the error
	// that explains it).
	Strict bool
}

// DefaultPorts are Azurite's usual blob, queue and table ports, those of
// UseDevelopmentStorage=true.
var DefaultPorts = [3]int{10000, 10001, 10002}

// Flags are the flags every server gets besides its hosts and ports: data
// in memory, and --skipApiVersionCheck --loose, without which Azurite
// answers the Azure SDK's requests (a newer API version than it knows, and
// headers it does not model) with HTTP 400 InvalidHeaderValue.
var Flags = []string{"--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry"}

// Server is a running Azurite process.
type Server struct {
	BlobPort, QueuePort, TablePort int

	cmd  *exec.Cmd
	dir  string
	done chan struct{} // closed when the process has exited
	out  *tailBuffer

	stopOnce sync.Once
	stopErr  error
}

// FindBin returns the path of the Azurite launcher under the repository
// root, or an error wrapping ErrNotInstalled.
func FindBin() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, binRel)
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%w: %s missing", ErrNotInstalled, bin)
	}
	return bin, nil
}

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("azurite: find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("azurite: find repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// StartServer starts Azurite and returns once its blob, queue and table
// services accept connections on 127.0.0.1. The caller must Stop it.
func StartServer(ctx context.Context, opt Options) (*Server, error) {
	if opt.Bin == "" {
		bin, err := FindBin()
		if err != nil {
			return nil, err
		}
		opt.Bin = bin
	} else if _, err := os.Stat(opt.Bin); err != nil {
		return nil, fmt.Errorf("%w: %s missing", ErrNotInstalled, opt.Bin)
	}
	if opt.ReadyTimeout == 0 {
		opt.ReadyTimeout = 60 * time.Second
	}
	if opt.ExtentMemoryLimitMB == 0 {
		opt.ExtentMemoryLimitMB = 1024
	}
	dir, err := os.MkdirTemp("", "azurite-")
	if err != nil {
		return nil, fmt.Errorf("azurite: work dir: %w", err)
	}
	s := &Server{dir: dir, done: make(chan struct{}), out: &tailBuffer{max: 8 << 10}}
	if err := s.start(ctx, opt); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, opt Options) error {
	// Port 0: the kernel picks a free port and Azurite prints it.
	args := []string{"--extentMemoryLimit", strconv.Itoa(opt.ExtentMemoryLimitMB),
		"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(opt.BlobPort),
		"--queueHost", "127.0.0.1", "--queuePort", strconv.Itoa(opt.QueuePort),
		"--tableHost", "127.0.0.1", "--tablePort", strconv.Itoa(opt.TablePort)}
	for _, f := range Flags {
		if !opt.Strict || (f != "--skipApiVersionCheck" && f != "--loose") {
			args = append(args, f)
		}
	}
	s.cmd = exec.Command(opt.Bin, args...)
	s.cmd.Dir = s.dir
	// Own process group (stopped as a group), and killed by the kernel if
	// this process dies first (a test binary killed on timeout).
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	pr, pw := io.Pipe()
	s.cmd.Stdout, s.cmd.Stderr = pw, pw
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("azurite: start %s: %w", opt.Bin, err)
	}
	go func() {
		_ = s.cmd.Wait()
		_ = pw.Close()
		close(s.done)
	}()
	ports := make(chan [3]int, 1)
	go s.scan(pr, ports)

	ctx, cancel := context.WithTimeout(ctx, opt.ReadyTimeout)
	defer cancel()
	select {
	case p := <-ports:
		s.BlobPort, s.QueuePort, s.TablePort = p[0], p[1], p[2]
	case <-s.done:
		return fmt.Errorf("azurite: exited before listening: %s", s.out.String())
	case <-ctx.Done():
		return fmt.Errorf("azurite: not listening after %v: %w; output: %s",
			opt.ReadyTimeout, ctx.Err(), s.out.String())
	}
	return s.dialAll(ctx)
}

var serviceIndex = map[string]int{"Blob": 0, "Queue": 1, "Table": 2}

var listenRE = regexp.MustCompile(`Azurite (Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(\d+)`)

// scan reads Azurite's output, keeps its tail for error messages and sends
// the three ports once all are known. It drains the pipe until the process
// exits so that Azurite never blocks on a full pipe.
func (s *Server) scan(r io.Reader, ports chan<- [3]int) {
	var p [3]int
	sent := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		s.out.WriteLine(line)
		if sent {
			continue
		}
		if m := listenRE.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			p[serviceIndex[m[1]]] = n
		}
		if p[0] != 0 && p[1] != 0 && p[2] != 0 {
			ports <- p
			sent = true
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// dialAll polls the three ports until each accepts a connection or ctx ends.
func (s *Server) dialAll(ctx context.Context) error {
	for _, port := range []int{s.BlobPort, s.QueuePort, s.TablePort} {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		for {
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				_ = c.Close()
				break
			}
			if ctx.Err() != nil {
				return fmt.Errorf("azurite: %s not accepting connections: %w", addr, err)
			}
			select {
			case <-ctx.Done():
			case <-s.done:
				return fmt.Errorf("azurite: exited: %s", s.out.String())
			case <-time.After(20 * time.Millisecond): // poll interval for readiness
			}
		}
	}
	return nil
}

// PID is the process id of the Azurite process (its process group's).
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Done is closed when the Azurite process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// ConnString is the connection string for the server's three services.
func (s *Server) ConnString() string {
	ep := func(port int) string { return "http://127.0.0.1:" + strconv.Itoa(port) + "/" + Account }
	return "DefaultEndpointsProtocol=http;AccountName=" + Account + ";AccountKey=" + Key +
		";BlobEndpoint=" + ep(s.BlobPort) + ";QueueEndpoint=" + ep(s.QueuePort) +
		";TableEndpoint=" + ep(s.TablePort) + ";"
}

// Stop ends the server's process group (SIGTERM, then SIGKILL after 5 s),
// waits for the process and removes its work directory. It is idempotent.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			s.stopErr = s.kill()
		}
		if err := os.RemoveAll(s.dir); err != nil && s.stopErr == nil {
			s.stopErr = fmt.Errorf("azurite: remove work dir: %w", err)
		}
	})
	return s.stopErr
}

func (s *Server) kill() error {
	pgid := s.cmd.Process.Pid // Setpgid: the group id is the leader's pid
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("azurite: stop pid %d: %w", pgid, err)
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(5 * time.Second):
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("azurite: kill pid %d: %w", pgid, err)
	}
	<-s.done
	return nil
}

// tailBuffer keeps roughly the last max bytes of output lines.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) WriteLine(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(append(t.b, line...), '\n')
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
