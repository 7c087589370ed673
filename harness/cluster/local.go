package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/backends/nats"
	"github.com/dflab/dflab/internal/azurite"
)

// A Local cluster is every process of a dflab cluster on one machine:
// Azurite, a three-server NATS JetStream cluster (in the supervising
// process, streams kept on all three) and N worker processes, every
// listener on 127.0.0.1. The supervisor (`dflab cluster up`) writes what
// it started — each process's PID and start time, the connection string,
// the NATS URLs — to StateFile in Dir, and stops exactly those processes
// by their PIDs when its context ends (`dflab cluster down` sends it
// SIGTERM, and kills by PID whatever a dead supervisor left behind).
type Local struct {
	Dir       string   // state file, logs and NATS data
	Workers   int      // worker processes, 1..16
	Engine    string   // netherite | original
	Cores     int      // cores each worker uses
	Namespace string   // the cluster's objects in the Azurite account
	Workloads []string // workloads whose functions the workers run
	Knobs     []string // engine knobs NAME=VALUE for every worker
	// Azurite is the azurite executable; empty finds
	// node_modules/.bin/azurite above the working directory.
	Azurite string
	// Command makes the command line of one dflab process (a worker);
	// nil runs this executable.
	Command func(args []string) *exec.Cmd
	Logf    func(format string, args ...any)
}

// StateFile is the Local cluster's state file name in its Dir.
const StateFile = "cluster.json"

// ConnectionEnv is the variable the workers read the connection string from.
const ConnectionEnv = "DFLAB_AZURE_CONNECTION"

// Proc is one process a Local cluster started.
type Proc struct {
	Name  string   `json:"name"`
	PID   int      `json:"pid"`
	Start uint64   `json:"start"` // start time in clock ticks since boot (/proc/PID/stat), against PID reuse
	Args  []string `json:"args,omitempty"`
	Log   string   `json:"log,omitempty"`
}

// State is what StateFile holds.
type State struct {
	Supervisor       Proc   `json:"supervisor"`
	Azurite          Proc   `json:"azurite"`
	Workers          []Proc `json:"workers"`
	ConnectionString string `json:"connectionString"`
	NATSURLs         string `json:"natsUrls"`
	NATSReplicas     int    `json:"natsReplicas"`
	Namespace        string `json:"namespace"`
	Engine           string `json:"engine"`
}

func (l *Local) check() error {
	if l.Dir == "" {
		return errors.New("cluster: --dir is empty")
	}
	if l.Workers < 1 || l.Workers > 16 {
		return fmt.Errorf("cluster: --workers %d: allowed 1..16", l.Workers)
	}
	if l.Engine != "netherite" && l.Engine != "original" {
		return fmt.Errorf("cluster: --engine %q: allowed netherite | original", l.Engine)
	}
	if err := azure.ValidNamespace(l.Namespace); err != nil {
		return fmt.Errorf("cluster: --namespace: %w", err) // refused before any process starts, not by each worker
	}
	if l.Logf == nil {
		l.Logf = func(string, ...any) {}
	}
	if l.Command == nil {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("cluster: this executable: %w", err)
		}
		l.Command = func(args []string) *exec.Cmd { return exec.Command(exe, args...) }
	}
	return nil
}

// Up starts the cluster, calls ready with its state once every process
// runs, and supervises it until ctx ends: then it stops the workers
// (SIGTERM: a graceful stop; SIGKILL after 60 s), NATS and Azurite, and
// removes the state file. A worker that exits early is reported, not
// restarted. While it runs, the supervisor takes crash and restart
// commands for its workers on ControlSocket in Dir (Control).
func (l *Local) Up(ctx context.Context, ready func(State)) error {
	if err := l.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(l.Dir, "logs"), 0o755); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	state := filepath.Join(l.Dir, StateFile)
	if old, err := ReadState(l.Dir); err == nil && Alive(old.Supervisor) {
		return fmt.Errorf("cluster: %s: a cluster is already up (supervisor pid %d); `dflab cluster down --dir %s` first", state, old.Supervisor.PID, l.Dir)
	}
	az, err := azurite.StartServer(ctx, azurite.Options{Bin: l.Azurite})
	if err != nil {
		return err
	}
	defer az.Stop()
	ns, err := nats.StartCluster(filepath.Join(l.Dir, "nats"), 3, false)
	if err != nil {
		return err
	}
	defer ns.Stop()
	st := State{Supervisor: self(), Azurite: proc("azurite", az.PID()), ConnectionString: az.ConnString(),
		NATSURLs: ns.URLs(), NATSReplicas: 3, Namespace: l.Namespace, Engine: l.Engine}
	sv := &supervisor{l: l, st: st, path: state, exited: make(chan *running, 4*l.Workers+4)}
	defer sv.stopAll()
	for i := 1; i <= l.Workers; i++ {
		name := "w" + strconv.Itoa(i)
		args := []string{"worker", "--name", name, "--engine", l.Engine, "--cores", strconv.Itoa(l.Cores),
			"--nodes", strconv.Itoa(l.Workers), "--namespace", l.Namespace, "--connection-env", ConnectionEnv,
			"--nats", st.NATSURLs, "--nats-replicas", "3"}
		for _, w := range l.Workloads {
			args = append(args, "--workload", w)
		}
		for _, k := range l.Knobs {
			args = append(args, "--knob", k)
		}
		p := Proc{Name: name, Args: args, Log: filepath.Join(l.Dir, "logs", name+".log")}
		sv.st.Workers = append(sv.st.Workers, p)
		sv.ws = append(sv.ws, nil)
		if err := sv.start(len(sv.ws) - 1); err != nil {
			return err
		}
	}
	sv.mu.Lock()
	err = writeState(state, sv.st)
	st = sv.st
	st.Workers = slices.Clone(st.Workers)
	sv.mu.Unlock()
	if err != nil {
		return err
	}
	ln, err := listenControl(filepath.Join(l.Dir, ControlSocket))
	if err != nil {
		return err
	}
	defer ln.Close()
	go sv.serve(ln)
	if ready != nil {
		ready(st)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case w := <-sv.exited:
			sv.mu.Lock()
			killed := w.killed
			sv.mu.Unlock()
			if !killed {
				l.Logf("cluster: worker %s (pid %d) exited; its log: %s", w.name, w.cmd.Process.Pid, w.log)
			}
		}
	}
}

// ReadState reads the state file of the cluster in dir.
func ReadState(dir string) (State, error) {
	var st State
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		return st, fmt.Errorf("cluster: %w (no cluster up in %s?)", err, dir)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("cluster: %s: %w", filepath.Join(dir, StateFile), err)
	}
	return st, nil
}

func writeState(path string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return os.Rename(tmp, path)
}

// Down stops the cluster whose state is in dir: SIGTERM to its supervisor,
// which stops what it started; then, once the supervisor is gone or after
// timeout, SIGKILL to every process of the state that still runs (the same
// PID and start time: a reused PID is left alone). It returns the
// processes it had to kill.
func Down(dir string, timeout time.Duration) ([]Proc, error) {
	st, err := ReadState(dir)
	if err != nil {
		return nil, err
	}
	if Alive(st.Supervisor) {
		if err := syscall.Kill(st.Supervisor.PID, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			return nil, fmt.Errorf("cluster: stop supervisor pid %d: %w", st.Supervisor.PID, err)
		}
		deadline := time.Now().Add(timeout)
		for Alive(st.Supervisor) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	var killed []Proc
	for _, p := range append([]Proc{st.Supervisor, st.Azurite}, st.Workers...) {
		if Alive(p) {
			if err := syscall.Kill(p.PID, syscall.SIGKILL); err == nil {
				killed = append(killed, p)
			}
		}
	}
	_ = os.Remove(filepath.Join(dir, StateFile))
	return killed, nil
}

// Alive says whether p still runs: its PID exists with the start time it
// had (so that a PID the kernel reused for another process is not it).
func Alive(p Proc) bool {
	if p.PID <= 0 {
		return false
	}
	start, err := startTime(p.PID)
	return err == nil && start == p.Start
}

func self() Proc { return proc("supervisor", os.Getpid()) }

func proc(name string, pid int) Proc {
	start, _ := startTime(pid)
	return Proc{Name: name, PID: pid, Start: start}
}

// startTime is field 22 of /proc/PID/stat: when the process started, in
// clock ticks after boot. A zombie (exited, not yet reaped) counts as gone.
func startTime(pid int) (uint64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	s := string(b)
	end := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if end < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	fields := strings.Fields(s[end+1:]) // fields 3 onwards
	if len(fields) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	if fields[0] == "Z" || fields[0] == "X" {
		return 0, fmt.Errorf("pid %d has exited", pid)
	}
	return strconv.ParseUint(fields[19], 10, 64)
}
