package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotInstalled reports that no PostgreSQL server binaries were found.
var ErrNotInstalled = errors.New("postgres: not installed (initdb and postgres not found; run `make deps`)")

// Server is a running throw-away PostgreSQL cluster.
type Server struct {
	Port int    // TCP port on 127.0.0.1
	Dir  string // data directory and Unix socket directory
	bin  string
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{}
	log  string

	stopOnce sync.Once
	stopErr  error
}

// FindBin returns the directory of initdb and postgres: $DFLAB_PG_BIN, the
// newest /usr/lib/postgresql/*/bin, or the one on PATH.
func FindBin() (string, error) {
	if d := os.Getenv("DFLAB_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("%w: DFLAB_PG_BIN=%s has no initdb", ErrNotInstalled, d)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNotInstalled
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// credential runs the server's processes as the postgres user when this
// process is root (nil otherwise).
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("postgres: running as root needs a postgres user to run initdb as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// StartServer initializes a cluster and starts it; the caller must Stop it.
func StartServer(ctx context.Context) (*Server, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(baseDir(), "dflab-pg-")
	if err != nil {
		return nil, fmt.Errorf("postgres: temp dir: %w", err)
	}
	s := &Server{Dir: dir, done: make(chan struct{})}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("postgres: chown %s to postgres: %w", dir, err)
		}
	}
	if err := s.start(ctx, bin, cred); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, bin string, cred *syscall.Credential) error {
	data := filepath.Join(s.Dir, "data")
	if err := initData(ctx, bin, cred, data); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	s.Port, s.bin, s.cred = port, bin, cred
	return s.run(ctx)
}

// Halt shuts the server down by its PID (fast shutdown) and keeps its data
// directory, so Resume can start it again on the same port: a database
// that goes away under its clients and comes back.
func (s *Server) Halt() error {
	pid := s.PID()
	if pid == 0 {
		return fmt.Errorf("postgres: halt: the server is not running")
	}
	err := s.kill(pid)
	s.cmd = nil
	return err
}

// Resume starts a halted server again on its data and port.
func (s *Server) Resume(ctx context.Context) error {
	if s.cmd != nil {
		return fmt.Errorf("postgres: resume: the server is running (pid %d)", s.PID())
	}
	s.done = make(chan struct{})
	return s.run(ctx)
}

// run starts the postgres process on the data directory and port.
func (s *Server) run(ctx context.Context) error {
	data, bin, cred, port := filepath.Join(s.Dir, "data"), s.bin, s.cred, s.Port
	logf, err := os.OpenFile(filepath.Join(s.Dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("postgres: log file: %w", err)
	}
	s.log = logf.Name()
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", s.Dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-F", "-c", "max_connections=100", "-c", "shared_buffers=32MB")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Own process group; killed by the kernel if this process dies first.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("postgres: start server: %w", err)
	}
	cmd, done := s.cmd, s.done
	go func() {
		_ = cmd.Wait()
		_ = logf.Close()
		close(done)
	}()
	return s.waitReady(ctx)
}

// baseDir is where clusters live: /dev/shm when it is a writable tmpfs
// (a throw-away cluster needs no disk, and the disk of a busy machine makes
// a copy of the template take seconds), else the temp directory.
func baseDir() string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", "dflab-probe-"); err == nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// initData makes a fresh data directory: a copy of a template cluster
// (initdb once per machine and PostgreSQL version, kept in the temp
// directory: initdb takes seconds on a busy machine, a copy milliseconds),
// made by initdb when there is none yet.
func initData(ctx context.Context, bin string, cred *syscall.Credential, data string) error {
	tmpl := filepath.Join(baseDir(), fmt.Sprintf("dflab-pg-template-%d-%d", version(bin), os.Geteuid()))
	if _, err := os.Stat(filepath.Join(tmpl, "PG_VERSION")); err != nil {
		staging, err := os.MkdirTemp(filepath.Dir(tmpl), filepath.Base(tmpl)+".new-")
		if err != nil {
			return fmt.Errorf("postgres: template dir: %w", err)
		}
		defer os.RemoveAll(staging)
		if cred != nil {
			if err := os.Chown(staging, int(cred.Uid), int(cred.Gid)); err != nil {
				return fmt.Errorf("postgres: chown %s to postgres: %w", staging, err)
			}
		}
		initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", filepath.Join(staging, "data"), "-U", "postgres",
			"-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := initdb.CombinedOutput(); err != nil {
			return fmt.Errorf("postgres: initdb: %w: %s", err, out)
		}
		// Another test binary may have won the race: either template is fine.
		if err := os.Rename(filepath.Join(staging, "data"), tmpl); err != nil {
			if _, statErr := os.Stat(filepath.Join(tmpl, "PG_VERSION")); statErr != nil {
				return fmt.Errorf("postgres: keep template: %w", err)
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "cp", "-a", tmpl, data).CombinedOutput(); err != nil {
		return fmt.Errorf("postgres: copy template %s: %w: %s", tmpl, err, out)
	}
	return nil
}

// waitReady polls the TCP port until the server accepts connections.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
	for {
		var d net.Dialer
		if c, err := d.DialContext(ctx, "tcp", addr); err == nil {
			_ = c.Close()
			// The socket accepts before the cluster finishes startup; the
			// pid file's "ready" line says it has.
			if b, err := os.ReadFile(filepath.Join(s.Dir, "data", "postmaster.pid")); err == nil && strings.Contains(string(b), "ready") {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres: not ready on %s: %w; log: %s", addr, ctx.Err(), s.tail())
		case <-s.done:
			return fmt.Errorf("postgres: server exited: %s", s.tail())
		case <-time.After(20 * time.Millisecond): // readiness poll interval
		}
	}
}

func (s *Server) tail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("postgres: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ConnString is a connection string for database postgres over TCP.
func (s *Server) ConnString() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
}

// SocketConnString connects over the Unix socket in Dir.
func (s *Server) SocketConnString() string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", s.Dir, s.Port)
}

// PID is the server's process id (0 before start).
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop shuts the server down by its PID (SIGINT: fast shutdown, then
// SIGKILL after 10 s), waits for it and removes its directory. Idempotent.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if pid := s.PID(); pid != 0 {
			s.stopErr = s.kill(pid)
		}
		if err := os.RemoveAll(s.Dir); err != nil && s.stopErr == nil {
			s.stopErr = fmt.Errorf("postgres: remove %s: %w", s.Dir, err)
		}
	})
	return s.stopErr
}

func (s *Server) kill(pid int) error {
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("postgres: stop pid %d: %w", pid, err)
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("postgres: kill pid %d: %w", pid, err)
	}
	<-s.done
	return nil
}
