package cli

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/harness/cluster"
	"github.com/dflab/dflab/harness/spec"
)

// selfCommand is the command line of another dflab process (a worker of
// `cluster up`); tests swap it for their own binary.
var selfCommand func(args []string) *exec.Cmd

func cmdCluster(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "down" && args[0] != "status" && args[0] != "bench") {
		usage := fmt.Sprintf(`usage: %[1]s cluster up|down|status|bench [flags]

A local cluster on this machine: Azurite, a three-server NATS JetStream
cluster (R3) and worker processes, every listener on 127.0.0.1.
  up      start one and supervise it until SIGTERM or an interrupt
  down    stop the one in --dir, exactly the processes it started, by PID
  status  list its processes and whether each runs
  bench   1, 2, 4... workers in turn, a load process's row for each

flags: each subcommand's own (%[1]s cluster up --help)
`, e.program)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(e.stdout, usage) // asked for: stdout, exit 0
			return nil
		}
		fmt.Fprint(e.stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "up":
		return clusterUp(ctx, e, args[1:])
	case "down":
		return clusterDown(e, args[1:])
	case "bench":
		return clusterBench(ctx, e, args[1:])
	}
	return clusterStatus(e, args[1:])
}

func clusterUp(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "cluster up", "--workers N [--dir DIR] [flags]", `
Starts a local cluster on this machine and supervises it until SIGTERM or
an interrupt (or `+"`cluster down`"+` from another shell): Azurite, a
three-server NATS JetStream cluster keeping every stream on all three
(R3), and N dflab worker processes, every listener on 127.0.0.1. It prints
how to reach them and a dflab load command line, and writes the PIDs of
what it started to DIR/cluster.json; it stops exactly those processes, by
their PIDs, when it ends. Worker logs are in DIR/logs.`)
	l := cluster.Local{}
	fs.StringVar(&l.Dir, "dir", ".dflab-cluster", "state, logs and NATS data")
	fs.IntVar(&l.Workers, "workers", 3, "worker processes (1..16)")
	fs.StringVar(&l.Engine, "engine", "netherite", "engine: netherite | original")
	fs.IntVar(&l.Cores, "cores", 1, "cores each worker uses")
	fs.StringVar(&l.Namespace, "namespace", "local", "namespace of the cluster's objects in the account (3..24 of [a-z0-9])")
	var workloads, knobs multiFlag
	fs.Var(&workloads, "workload", "workload whose functions the workers run (repeatable; default hello5 and bank)")
	fs.Var(&knobs, "knob", "engine knob NAME=VALUE for every worker (repeatable)")
	fs.StringVar(&l.Azurite, "azurite", "", "azurite executable (default: node_modules/.bin/azurite above the working directory, from npm ci)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(workloads) == 0 {
		workloads = multiFlag{"hello5", "bank"}
	}
	l.Workloads, l.Knobs, l.Command = workloads, knobs, selfCommand
	l.Logf = log.New(e.stderr, "", log.LstdFlags).Printf
	return l.Up(ctx, func(st cluster.State) {
		fmt.Fprintf(e.stdout, "cluster up in %s: supervisor pid %d, Azurite pid %d, NATS (R3) %s\n", l.Dir, st.Supervisor.PID, st.Azurite.PID, st.NATSURLs)
		for _, w := range st.Workers {
			fmt.Fprintf(e.stdout, "  worker %s pid %d, log %s\n", w.Name, w.PID, w.Log)
		}
		fmt.Fprintf(e.stdout, "connection string (Azurite, an emulator):\n  export %s='%s'\n", cluster.ConnectionEnv, st.ConnectionString)
		fmt.Fprintf(e.stdout, "load:\n  %s load --engine %s --workload hello5 --load open:10:10s --namespace %s --connection-env %s --nats %s --nats-replicas 3 --out results.jsonl\n",
			e.program, st.Engine, st.Namespace, cluster.ConnectionEnv, st.NATSURLs)
		fmt.Fprintf(e.stdout, "stop:\n  %s cluster down --dir %s\n", e.program, l.Dir)
	})
}

func clusterDown(e *env, args []string) error {
	fs := newFlags(e, "cluster down", "[--dir DIR]", `
Stops the local cluster that cluster up started in DIR: SIGTERM to its
supervisor, which stops its workers gracefully, NATS and Azurite; after
--timeout, SIGKILL to every process of DIR/cluster.json still running
(matched by PID and start time, so a reused PID is never signalled).`)
	dir := fs.String("dir", ".dflab-cluster", "the cluster's directory")
	timeout := fs.Duration("timeout", 90*time.Second, "how long the supervisor gets to stop everything")
	if err := parse(fs, args); err != nil {
		return err
	}
	killed, err := cluster.Down(*dir, *timeout)
	if err != nil {
		return err
	}
	for _, p := range killed {
		fmt.Fprintf(e.stderr, "killed %s (pid %d): still running after %v\n", p.Name, p.PID, *timeout)
	}
	fmt.Fprintf(e.stdout, "cluster in %s is down\n", *dir)
	return nil
}

func clusterStatus(e *env, args []string) error {
	fs := newFlags(e, "cluster status", "[--dir DIR]", `
Lists the processes of the local cluster in DIR and whether each runs.`)
	dir := fs.String("dir", ".dflab-cluster", "the cluster's directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := cluster.ReadState(*dir)
	if err != nil {
		return err
	}
	for _, p := range append([]cluster.Proc{st.Supervisor, st.Azurite}, st.Workers...) {
		state := "running"
		if !cluster.Alive(p) {
			state = "gone"
		}
		fmt.Fprintf(e.stdout, "%-10s pid %-7d %s\n", p.Name, p.PID, state)
	}
	fmt.Fprintf(e.stdout, "nats %s\n", strings.ReplaceAll(st.NATSURLs, ",", " "))
	return nil
}

func clusterBench(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "cluster bench", "[--workers 1,2,4] [spec flags] [--out FILE]", `
For each worker count, starts a local cluster as cluster up does, waits
until its workers host every partition (or control queue), runs the spec
from a load process's client as dflab load does, appends the row to --out
and stops the cluster. The rows record the measured cluster (workers,
cores, placement). With --faults, the plan runs as with dflab load
--cluster: crash nodeK SIGKILLs the K+1-th worker, and the row records
the recovery time after the kill (until its partitions run again on
other workers). On one machine this measures correctness and the
overheads of worker processes, not scale-out: every worker shares its
cores, and Azurite is an emulator.`)
	var sf specFlags
	sf.register(fs)
	counts := fs.String("workers", "1,2,4", "worker counts, comma-separated")
	partitions := fs.Int("partitions", 12, "partitions (Netherite) or control queues (original) of the workers and the load")
	out := fs.String("out", "results/cluster/cluster.jsonl", "JSONL results file to append to")
	az := fs.String("azurite", "", "azurite executable (default: node_modules/.bin/azurite above the working directory, from npm ci)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cores := 1 // --cores: each worker's
	if sf.cores.set {
		cores = sf.cores.v
	}
	knobs := []string(sf.knobs) // --knob: the workers' and the load's
	var ns []int
	for _, c := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 || n > 16 {
			return fmt.Errorf("--workers %q: allowed a comma-separated list of 1..16", *counts)
		}
		ns = append(ns, n)
	}
	if sf.backend == "" {
		sf.backend = spec.BackendAzure
	}
	if sf.engine == "" {
		sf.engine = "netherite"
	}
	knob := map[string]string{"netherite": "partitions", "original": "controlQueues"}[sf.engine]
	if knob == "" {
		return fmt.Errorf("--engine %q: cluster bench runs netherite | original", sf.engine)
	}
	sf.sets = append(sf.sets, fmt.Sprintf("engine.%s.%s=%d", sf.engine, knob, *partitions))
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	for _, n := range ns {
		sf.nodes, sf.cores = optInt{n, true}, optInt{cores, true}
		s, err := sf.build(e.catalog)
		if err != nil {
			return err
		}
		if err := benchPoint(ctx, e, s, n, cores, *partitions, knob, knobs, *out, *az); err != nil {
			return fmt.Errorf("%d workers: %w", n, err)
		}
	}
	return nil
}

// benchPoint runs s against a local cluster of n workers.
func benchPoint(ctx context.Context, e *env, s spec.Spec, n, cores, partitions int, knob string, knobs []string, out, az string) error {
	dir, err := os.MkdirTemp("", "dflab-cluster-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	l := cluster.Local{Dir: dir, Workers: n, Engine: s.Engine.Name, Cores: cores, Namespace: "bench",
		Workloads: []string{s.Workload.Name}, Knobs: append([]string{knob + "=" + strconv.Itoa(partitions)}, knobs...), Command: selfCommand, Azurite: az,
		Logf: log.New(e.stderr, "", log.LstdFlags).Printf}
	uctx, stop := context.WithCancel(ctx)
	ready, upErr := make(chan cluster.State, 1), make(chan error, 1)
	go func() { upErr <- l.Up(uctx, func(st cluster.State) { ready <- st }) }()
	defer func() { stop(); <-upErr }()
	var st cluster.State
	select {
	case st = <-ready:
	case err := <-upErr:
		upErr <- err
		return fmt.Errorf("cluster up: %w", err)
	}
	fmt.Fprintf(e.stderr, "cluster bench: %d workers up; waiting for them to host all %d (knob %s)\n", n, partitions, knob)
	if err := waitPlaced(ctx, st, n, partitions); err != nil {
		return err
	}
	shared := cluster.Shared{ConnectionString: st.ConnectionString, Namespace: st.Namespace, NATSURL: st.NATSURLs, NATSReplicas: st.NATSReplicas}
	ctl := &supervised{dir: dir} // the plan's crash and restart lines, if any
	for _, w := range st.Workers {
		ctl.nodes = append(ctl.nodes, w.Name)
	}
	if err := loadRows(ctx, e, s, shared, ctl, 250*time.Millisecond, out); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "cluster bench: %d workers: row appended to %s\n", n, out)
	return nil
}

// waitPlaced waits (up to 3 minutes) until n workers host all partitions,
// each on one worker only and running there (no move under way).
func waitPlaced(ctx context.Context, st cluster.State, n, partitions int) error {
	az, err := azure.Open(ctx, st.ConnectionString, azure.Options{Namespace: st.Namespace})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(3 * time.Minute)
	last := cluster.Shape{}
	for time.Now().Before(deadline) {
		var shape cluster.Shape
		if st.Engine == "original" {
			shape, err = cluster.ReadQueueOwners(ctx, az, "dflab", partitions)
		} else {
			shape, err = cluster.ReadShape(ctx, az, "dflab")
		}
		if err == nil {
			last = shape
			if len(shape) == n && shape.Settled(partitions) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("the %d workers did not settle (each of the %d partitions running on exactly one of them) within 3 minutes; last shape %s", n, partitions, last)
}
