package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ControlSocket is the Unix socket in a Local cluster's Dir on which its
// supervisor takes commands, one line each, answering one line:
//
//	crash NAME     SIGKILL worker NAME ("ok crashed w2 (pid 123)")
//	restart NAME   start a crashed or exited worker again with the same
//	               command line ("ok restarted w2 (pid 456)")
//
// An answer that does not start with "ok " is an error. The state file is
// rewritten after each change (a restarted worker's new PID).
const ControlSocket = "control.sock"

// supervisor owns a Local cluster's worker processes.
type supervisor struct {
	l      *Local
	path   string // the state file
	exited chan *running

	mu sync.Mutex
	st State
	ws []*running // by index of st.Workers; nil: not running
}

// running is one life of a worker process.
type running struct {
	name, log string
	cmd       *exec.Cmd
	done      chan struct{} // closed when it exited
	killed    bool          // by a crash command (under supervisor.mu)
}

// start starts worker i; callers hold mu, or own sv (Up).
func (sv *supervisor) start(i int) error {
	p := sv.st.Workers[i]
	logFile, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	cmd := sv.l.Command(p.Args)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, ConnectionEnv+"="+sv.st.ConnectionString)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the supervisor
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("cluster: start worker %s: %w", p.Name, err)
	}
	w := &running{name: p.Name, log: p.Log, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(w.done)
		sv.exited <- w
	}()
	sv.ws[i] = w
	np := proc(p.Name, cmd.Process.Pid)
	np.Args, np.Log = p.Args, p.Log
	sv.st.Workers[i] = np
	return nil
}

// command carries out one control command.
func (sv *supervisor) command(line string) string {
	verb, name, _ := strings.Cut(strings.TrimSpace(line), " ")
	sv.mu.Lock()
	defer sv.mu.Unlock()
	i := -1
	for k, p := range sv.st.Workers {
		if p.Name == name {
			i = k
		}
	}
	if i < 0 {
		return fmt.Sprintf("error: no worker %q", name)
	}
	w := sv.ws[i]
	up := w != nil && !isDone(w)
	switch verb {
	case "crash":
		if !up {
			return fmt.Sprintf("error: worker %s is not running", name)
		}
		w.killed = true
		_ = w.cmd.Process.Kill() // SIGKILL: no graceful stop, its leases lapse
		<-w.done
		sv.l.Logf("cluster: worker %s (pid %d) crashed by SIGKILL on request", name, w.cmd.Process.Pid)
		return fmt.Sprintf("ok crashed %s (pid %d)", name, w.cmd.Process.Pid)
	case "restart":
		if up {
			return fmt.Sprintf("error: worker %s is running (pid %d)", name, w.cmd.Process.Pid)
		}
		if err := sv.start(i); err != nil {
			return "error: " + err.Error()
		}
		if err := writeState(sv.path, sv.st); err != nil {
			return "error: " + err.Error()
		}
		sv.l.Logf("cluster: worker %s restarted (pid %d)", name, sv.ws[i].cmd.Process.Pid)
		return fmt.Sprintf("ok restarted %s (pid %d)", name, sv.ws[i].cmd.Process.Pid)
	}
	return fmt.Sprintf("error: command %q: allowed crash NAME, restart NAME", verb)
}

func isDone(w *running) bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// stopAll stops the running workers by their PIDs: SIGTERM (a graceful
// stop), SIGKILL after 60 s; then removes the state file and the socket.
func (sv *supervisor) stopAll() {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	for _, w := range sv.ws {
		if w != nil {
			_ = w.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, w := range sv.ws {
		if w == nil {
			continue
		}
		select {
		case <-w.done:
		case <-time.After(60 * time.Second):
			sv.l.Logf("cluster: worker %s (pid %d) still running 60 s after SIGTERM: SIGKILL", w.name, w.cmd.Process.Pid)
			_ = w.cmd.Process.Kill()
			<-w.done
		}
	}
	_ = os.Remove(sv.path)
	_ = os.Remove(sv.path[:len(sv.path)-len(StateFile)] + ControlSocket)
}

func listenControl(path string) (net.Listener, error) {
	_ = os.Remove(path) // a socket a dead supervisor left
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("cluster: control socket: %w", err)
	}
	return ln, nil
}

func (sv *supervisor) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(2 * time.Minute))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil && line == "" {
				return
			}
			fmt.Fprintln(c, sv.command(line))
		}()
	}
}

// Control sends one command to the supervisor of the Local cluster in dir
// and returns its answer; an answer other than "ok ..." is an error.
func Control(dir, command string) (string, error) {
	c, err := net.DialTimeout("unix", dir+"/"+ControlSocket, 10*time.Second)
	if err != nil {
		return "", fmt.Errorf("cluster: supervisor of %s: %w", dir, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Minute))
	if _, err := fmt.Fprintln(c, command); err != nil {
		return "", fmt.Errorf("cluster: supervisor of %s: %w", dir, err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	line = strings.TrimSpace(line)
	if err != nil && line == "" {
		return "", fmt.Errorf("cluster: supervisor of %s: %w", dir, err)
	}
	if !strings.HasPrefix(line, "ok ") {
		return line, errors.New("cluster: supervisor: " + line)
	}
	return line, nil
}
