package cli

import (
	"context"
	"fmt"
	"log"
	"os/exec"
	"strings"
	"time"

	"github.com/dflab/dflab/harness/cluster"
)

// selfCommand is the command line of another dflab process (a worker of
// `cluster up`); tests swap it for their own binary.
var selfCommand func(args []string) *exec.Cmd

func cmdCluster(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "down" && args[0] != "status") {
		fmt.Fprintf(e.stderr, "usage: %s cluster up|down|status [flags]   (%s cluster up --help)\n", e.program, e.program)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errUsage
	}
	switch args[0] {
	case "up":
		return clusterUp(ctx, e, args[1:])
	case "down":
		return clusterDown(e, args[1:])
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
