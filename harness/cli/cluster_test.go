package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/backends/nats"
	"github.com/dflab/dflab/harness/cluster"
	"github.com/dflab/dflab/harness/realrun"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/internal/azurite"
	"github.com/stretchr/testify/require"
)

// clusterChildEnv carries a child process's command line (JSON list).
const clusterChildEnv = "DFLAB_CLUSTER_CHILD_ARGS"

// TestClusterChild is a dflab process of a cluster test (worker or load):
// it runs the command line clusterChildEnv holds, as `dflab` would.
func TestClusterChild(t *testing.T) {
	raw := os.Getenv(clusterChildEnv)
	if raw == "" {
		t.Skip("runs only as a child of TestClusterNetheriteKill9")
	}
	var args []string
	require.NoError(t, json.Unmarshal([]byte(raw), &args))
	selfCommand = childCommand // a cluster up's workers are children too
	os.Exit(Main(append([]string{"dflab"}, args...)))
}

// child is a dflab process started by a test, stopped by its PID.
type child struct {
	name   string
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func (c *child) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.Write(p)
}

func (c *child) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// childCommand is this test binary running the dflab command line args as
// TestClusterChild.
func childCommand(args []string) *exec.Cmd {
	raw, err := json.Marshal(args)
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), clusterChildEnv+"="+string(raw))
	return cmd
}

func startChild(t *testing.T, name, conn string, args ...string) *child {
	t.Helper()
	c := &child{name: name, done: make(chan struct{})}
	c.cmd = childCommand(args)
	c.cmd.Env = append(c.cmd.Env, realrun.DefaultConnectionEnv+"="+conn)
	c.cmd.Stderr, c.cmd.Stdout = c, c
	require.NoError(t, c.cmd.Start())
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Signal(syscall.SIGKILL)
			<-c.done
		}
		if t.Failed() {
			t.Logf("%s (pid %d) output:\n%s", c.name, c.cmd.Process.Pid, c.log())
		}
	})
	return c
}

func startWorker(t *testing.T, name, conn string, common, knobs []string) *child {
	args := append(append([]string{"worker", "--name", name, "--tick", "500ms", "--workload", "hello5", "--workload", "bank"}, common...), knobs...)
	return startChild(t, name, conn, args...)
}

// load is a load process and the results file it appends to.
type load struct {
	*child
	out string
}

func startLoad(t *testing.T, conn string, common []string, workload, spec string) load {
	out := filepath.Join(t.TempDir(), "results.jsonl")
	c := startChild(t, "load "+workload, conn, append([]string{"load", "--engine", "netherite",
		"--workload", workload, "--load", spec, "--seed", "7", "--out", out,
		"--set", "engine.netherite.partitions=6"}, common...)...)
	return load{c, out}
}

// wait waits for the load process and returns its row: no error, no
// failed instance.
func (l load) wait(t *testing.T) results.Row {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("%s still running after 3 min", l.name)
	}
	require.NoError(t, l.err, "%s failed", l.name)
	data, err := os.ReadFile(l.out)
	require.NoError(t, err)
	var row results.Row
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(data), &row))
	require.Empty(t, row.Error)
	require.Zero(t, row.Metrics.Failed)
	return row
}

// waitShape polls Netherite's cluster shape until ok holds or the timeout
// ends.
func waitShape(t *testing.T, st *azure.Store, timeout time.Duration, what string, ok func(cluster.Shape) bool) cluster.Shape {
	t.Helper()
	return waitFor(t, func() (cluster.Shape, error) { return cluster.ReadShape(context.Background(), st, "dflab") }, timeout, what, ok)
}

// waitFor polls read until ok holds or the timeout ends.
func waitFor(t *testing.T, read func() (cluster.Shape, error), timeout time.Duration, what string, ok func(cluster.Shape) bool) cluster.Shape {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last cluster.Shape
	for time.Now().Before(deadline) {
		s, err := read()
		if err == nil {
			last = s
			if ok(s) {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("cluster shape: %s not reached within %v; last %s", what, timeout, last)
	return nil
}

// spread: exactly the named workers, each hosting per partitions, all
// partitions hosted once.
func spread(names []string, per, partitions int) func(cluster.Shape) bool {
	return func(s cluster.Shape) bool {
		if len(s) != len(names) {
			return false
		}
		seen := map[int]bool{}
		for _, n := range names {
			r, ok := s[n]
			if !ok || len(r.Partitions) != per {
				return false
			}
			for _, p := range r.Partitions {
				seen[p] = true
			}
		}
		return len(seen) == partitions
	}
}

// Three worker processes run Netherite (6 partitions) on Azurite and a
// three-server NATS JetStream cluster keeping every stream on all three
// (R3); a separate load process runs Hello5; one worker is killed with
// SIGKILL while the load runs. Every instance completes (the load's row:
// all completed, none failed, the oracle passed) and the partitions end up
// spread over the two survivors. A fourth worker then joins during a Bank
// load and takes its share, and one NATS server of the three is stopped
// during that load: the transport goes on, Bank's oracle passes; the
// workers stop cleanly on SIGTERM.
func TestClusterNetheriteKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Azurite, three NATS servers and five child processes")
	}
	t.Parallel() // mostly waits for leases to expire, like the original engine's
	conn := azurite.Start(t)
	ns, err := nats.StartCluster(t.TempDir(), 3, false)
	require.NoError(t, err)
	t.Cleanup(ns.Stop)
	st, err := azure.Open(context.Background(), conn, azure.Options{Namespace: "cluster"})
	require.NoError(t, err)
	knobs := []string{"--knob", "partitions=6", "--knob", "leaseDuration=15s", "--knob", "acquireRetry=250ms"}
	common := []string{"--namespace", "cluster", "--nats", ns.URLs(), "--nats-replicas", "3"}
	workers := map[string]*child{}
	for _, name := range []string{"w1", "w2", "w3"} {
		workers[name] = startWorker(t, name, conn, common, knobs)
	}
	before := waitShape(t, st, 60*time.Second, "3 workers × 2 partitions", spread([]string{"w1", "w2", "w3"}, 2, 6))
	t.Logf("placement before the kill: %s", before)

	load := startLoad(t, conn, common, "hello5", "open:10:5s")
	// The kill lands while the load runs; where exactly does not matter
	// to what is checked.
	time.Sleep(time.Second)
	require.NoError(t, workers["w2"].cmd.Process.Signal(syscall.SIGKILL))
	<-workers["w2"].done

	after := waitShape(t, st, 90*time.Second, "w1 and w3 × 3 partitions", spread([]string{"w1", "w3"}, 3, 6))
	t.Logf("placement after the kill: %s", after)
	row := load.wait(t)
	require.EqualValues(t, 50, row.Metrics.Completed, "every instance of the load completes")
	t.Logf("hello5 row notes: %q", row.Metrics.Notes)
	require.NotNil(t, row.Metrics.Cluster, "the row records the measured cluster")
	require.Equal(t, 3, row.Metrics.Cluster.Workers)
	require.Equal(t, map[string]int{"w1": 1, "w2": 1, "w3": 1}, row.Metrics.Cluster.Cores)
	var gone []string
	for _, r := range row.Metrics.Recovery {
		gone = append(gone, r.Fault)
		t.Logf("recovery: %s at %.0f ms, %.0f ms (%s)", r.Fault, r.AtMs, r.RecoveryMs, r.Detail)
	}
	require.Equal(t, []string{"worker w2 left"}, gone)

	// A fourth worker joins while Bank runs: it takes its share by graceful
	// moves, and Bank's oracle (money conserved) passes.
	load = startLoad(t, conn, common, "bank", "open:10:4s")
	workers["w4"] = startWorker(t, "w4", conn, common, knobs)
	time.Sleep(time.Second) // the server stops while the load runs; where does not matter to the checks
	ns.StopServer(1)
	joined := waitShape(t, st, 60*time.Second, "w1, w3 and w4 × 2 partitions", spread([]string{"w1", "w3", "w4"}, 2, 6))
	t.Logf("placement after w4 joined: %s", joined)
	row = load.wait(t)
	require.Positive(t, row.Metrics.Completed)
	require.Contains(t, strings.Join(row.Metrics.Notes, "; "), "oracle passed")
	t.Logf("bank row: completed %d; notes %q", row.Metrics.Completed, row.Metrics.Notes)

	for _, name := range []string{"w1", "w3", "w4"} {
		require.NoError(t, workers[name].cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, name := range []string{"w1", "w3", "w4"} {
		select {
		case <-workers[name].done:
		case <-time.After(60 * time.Second):
			t.Fatalf("worker %s did not stop within 60s of SIGTERM", name)
		}
		require.NoError(t, workers[name].err, "worker %s exit", name)
	}
	left, err := cluster.ReadShape(context.Background(), st, "dflab")
	require.NoError(t, err)
	require.Empty(t, left, "stopped workers delete their worker blobs")
}

// owned: exactly the named workers own the queues between them, each at
// least min.
func owned(names []string, queues, min int) func(cluster.Shape) bool {
	return func(s cluster.Shape) bool {
		if len(s) != len(names) {
			return false
		}
		n := 0
		for _, name := range names {
			if len(s[name].Partitions) < min {
				return false
			}
			n += len(s[name].Partitions)
		}
		return n == queues
	}
}

// The same with the original engine: three worker processes balance six
// control queues by their leases (the engine's own rule: a fair share of
// ceil(C/nodes), steals from the most loaded, lapsed leases taken after two
// lease intervals); one is killed with SIGKILL during a Hello5 load; every
// instance completes and the survivors own all the queues.
func TestClusterOriginalKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Azurite and four child processes")
	}
	t.Parallel()
	conn := azurite.Start(t)
	st, err := azure.Open(context.Background(), conn, azure.Options{Namespace: "origc"})
	require.NoError(t, err)
	knobs := []string{"--knob", "controlQueues=6", "--knob", "leaseInterval=15s", "--knob", "leaseRenewal=2s",
		"--knob", "visibility=2s", "--knob", "maxPoll=200ms"}
	common := []string{"--namespace", "origc"}
	workers := map[string]*child{}
	for _, name := range []string{"w1", "w2", "w3"} {
		args := append(append([]string{"worker", "--engine", "original", "--nodes", "3", "--name", name, "--workload", "hello5"}, common...), knobs...)
		workers[name] = startChild(t, name, conn, args...)
	}
	read := func(s *azure.Store) func() (cluster.Shape, error) {
		return func() (cluster.Shape, error) { return cluster.ReadQueueOwners(context.Background(), s, "dflab", 6) }
	}(st)
	before := waitFor(t, read, 60*time.Second, "3 workers × 2 queues", owned([]string{"w1", "w2", "w3"}, 6, 2))
	t.Logf("control queues before the kill: %s", before)

	out := filepath.Join(t.TempDir(), "results.jsonl")
	l := load{startChild(t, "load hello5", conn, append([]string{"load", "--engine", "original",
		"--workload", "hello5", "--load", "open:10:5s", "--seed", "7", "--out", out,
		"--set", "engine.original.controlQueues=6", "--set", "engine.original.maxPoll=200ms"}, common...)...), out}
	time.Sleep(time.Second) // the kill lands while the load runs; where does not matter to the checks
	require.NoError(t, workers["w2"].cmd.Process.Signal(syscall.SIGKILL))
	<-workers["w2"].done
	after := waitFor(t, read, 120*time.Second, "w1 and w3 own the 6 queues", owned([]string{"w1", "w3"}, 6, 1))
	t.Logf("control queues after the kill: %s", after)
	row := l.wait(t)
	require.EqualValues(t, 50, row.Metrics.Completed, "every instance of the load completes")
	require.Contains(t, strings.Join(row.Metrics.Notes, "; "), "oracle passed")
	t.Logf("hello5 row notes: %q", row.Metrics.Notes)
	for _, name := range []string{"w1", "w3"} {
		require.NoError(t, workers[name].cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, name := range []string{"w1", "w3"} {
		select {
		case <-workers[name].done:
		case <-time.After(60 * time.Second):
			t.Fatalf("worker %s did not stop within 60s of SIGTERM", name)
		}
		require.NoError(t, workers[name].err, "worker %s exit", name)
	}
}

// cluster up starts Azurite, three NATS servers and two workers, and a
// load process runs Hello5 against them with the command line up printed;
// cluster down stops exactly the processes up started, by their PIDs:
// afterwards none of them runs and the state file is gone.
func TestClusterUpDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local cluster: Azurite, three NATS servers, two workers")
	}
	t.Parallel()
	dir := t.TempDir()
	up := startChild(t, "cluster up", "", "cluster", "up", "--workers", "2", "--dir", dir, "--namespace", "updown",
		"--workload", "hello5", "--knob", "partitions=4", "--knob", "leaseDuration=15s", "--knob", "acquireRetry=250ms")
	st := waitUp(t, up, dir)
	require.Equal(t, up.cmd.Process.Pid, st.Supervisor.PID)
	require.Len(t, st.Workers, 2)
	for _, p := range append([]cluster.Proc{st.Azurite}, st.Workers...) {
		require.True(t, cluster.Alive(p), "%s runs", p.Name)
	}
	require.Len(t, strings.Split(st.NATSURLs, ","), 3)
	require.Contains(t, up.log(), "load:\n")

	out := filepath.Join(t.TempDir(), "results.jsonl")
	l := load{startChild(t, "load hello5", st.ConnectionString, "load", "--engine", "netherite", "--workload", "hello5",
		"--load", "open:10:3s:fixed", "--seed", "3", "--out", out, "--set", "engine.netherite.partitions=4",
		"--namespace", st.Namespace, "--nats", st.NATSURLs, "--nats-replicas", "3"), out}
	row := l.wait(t)
	require.EqualValues(t, 30, row.Metrics.Completed)

	var o, e bytes.Buffer
	require.Equal(t, 0, dflab(context.Background(), []string{"cluster", "down", "--dir", dir}, &o, &e), e.String())
	require.Contains(t, o.String(), "is down")
	require.Empty(t, e.String(), "nothing had to be killed: the supervisor stopped what it started")
	select {
	case <-up.done:
	case <-time.After(time.Minute):
		t.Fatal("cluster up still running a minute after cluster down")
	}
	require.NoError(t, up.err, "cluster up exits cleanly")
	for _, p := range append([]cluster.Proc{st.Supervisor, st.Azurite}, st.Workers...) {
		require.False(t, cluster.Alive(p), "%s (pid %d) stopped", p.Name, p.PID)
	}
	_, err := os.Stat(filepath.Join(dir, cluster.StateFile))
	require.True(t, os.IsNotExist(err), "state file removed")
}

// waitUp waits (up to 2 minutes) for the cluster up process to write its
// state file in dir and returns the state.
func waitUp(t *testing.T, up *child, dir string) cluster.State {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if st, err := cluster.ReadState(dir); err == nil {
			return st
		}
		select {
		case <-up.done:
			t.Fatalf("cluster up exited: %v\n%s", up.err, up.log())
		default:
		}
		require.True(t, time.Now().Before(deadline), "no state file after 2 min:\n%s", up.log())
		time.Sleep(100 * time.Millisecond)
	}
}
