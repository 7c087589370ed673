package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/harness/cluster"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/results"
)

// faultPlan is must-show 4's plan: node1 (the second worker, w2) crashes
// at 3 s and restarts at 8 s, and the commit log's page writes are ten
// times slower from 4 s to 6 s.
const faultPlan = "at 3s crash node1\nat 8s restart node1\nlatency x10 op=page-write 4s..6s"

// A Bank run on three worker processes on Azurite (and a three-server NATS
// cluster, R3) with faultPlan passes its checkers: the load process sends
// the crash and restart of node1 to the cluster's supervisor, which
// SIGKILLs worker w2 and starts it again with the same command line, and
// the workers run their storage requests through the plan's latency line
// from the load's start; every transfer completes, Bank's oracle (each
// transfer once on both sides, money conserved) passes, and the row notes
// when each fault fired. The same plan text, with the same spec on backend
// sim, passes the simulator's checkers too.
func TestClusterFaultPlanBank(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local cluster: Azurite, three NATS servers, three workers, a load process")
	}
	t.Parallel()
	dir := t.TempDir()
	up := startChild(t, "cluster up", "", "cluster", "up", "--workers", "3", "--dir", dir, "--namespace", "faults",
		"--workload", "bank", "--knob", "partitions=6", "--knob", "leaseDuration=15s", "--knob", "acquireRetry=250ms")
	st := waitUp(t, up, dir)
	t.Cleanup(func() { // stop the cluster by its supervisor's PID, whatever happened
		_, _ = cluster.Down(dir, time.Minute)
		<-up.done
	})
	az, err := azure.Open(context.Background(), st.ConnectionString, azure.Options{Namespace: st.Namespace})
	require.NoError(t, err)
	waitShape(t, az, 90*time.Second, "3 workers × 2 partitions", spread([]string{"w1", "w2", "w3"}, 2, 6))
	w2 := st.Workers[1]

	out := filepath.Join(t.TempDir(), "results.jsonl")
	args := []string{"--engine", "netherite", "--workload", "bank", "--nodes", "3", "--load", "open:5:12s",
		"--seed", "7", "--set", "engine.netherite.partitions=6", "--faults", faultPlan}
	l := load{startChild(t, "load bank", "", append([]string{"load", "--cluster", dir, "--out", out}, args...)...), out}
	row := l.wait(t)
	notes := strings.Join(row.Metrics.Notes, "; ")
	t.Logf("row notes: %s", notes)
	for _, r := range row.Metrics.Recovery {
		t.Logf("recovery: %s at %.0f ms: %.0f ms %s", r.Fault, r.AtMs, r.RecoveryMs, r.Detail)
	}
	require.Positive(t, row.Metrics.Completed)
	require.Contains(t, notes, "oracle passed")
	var kill *metrics.Recovery
	for i, r := range row.Metrics.Recovery {
		if r.Fault == "kill -9 of worker w2" {
			kill = &row.Metrics.Recovery[i]
		}
	}
	require.NotNil(t, kill, "the row measures the recovery after the kill: %+v", row.Metrics.Recovery)
	require.Equal(t, metrics.MeasurePlacement, kill.Measure)
	require.Positive(t, kill.RecoveryMs, "w2's partitions cannot run again at the instant of the kill")
	require.Contains(t, kill.Detail, "running again")
	require.Regexp(t, `fault at 3\.\d+s: crash node1 \(worker w2\): ok crashed w2 \(pid \d+\)`, notes)
	require.Regexp(t, `fault at 8\.\d+s: restart node1 \(worker w2\): ok restarted w2 \(pid \d+\)`, notes)
	require.False(t, cluster.Alive(w2), "w2's first life was killed")
	now, err := cluster.ReadState(dir)
	require.NoError(t, err)
	require.NotEqual(t, w2.PID, now.Workers[1].PID, "the state file has w2's new PID")
	require.True(t, cluster.Alive(now.Workers[1]), "w2 runs again")
	require.Equal(t, w2.Args, now.Workers[1].Args, "restarted with the same command line")

	// The workers applied the latency line: each logs what its injector
	// did when it stops (w1 and w3 ran through the 4s..6s window).
	var o, e bytes.Buffer
	require.Equal(t, 0, dflab(context.Background(), []string{"cluster", "down", "--dir", dir}, &o, &e), e.String())
	<-up.done
	for _, name := range []string{"w1", "w3"} {
		data, err := os.ReadFile(filepath.Join(dir, "logs", name+".log"))
		require.NoError(t, err)
		require.Regexp(t, `worker `+name+`: faults injected: .*latency page-write [1-9]`, string(data))
	}

	// The same plan text on the simulator: the same spec, backend sim.
	simOut := filepath.Join(t.TempDir(), "sim.jsonl")
	o.Reset()
	e.Reset()
	require.Equal(t, 0, dflab(context.Background(), append([]string{"run", "--backend", "sim", "--out", simOut}, args...), &o, &e), e.String())
	data, err := os.ReadFile(simOut)
	require.NoError(t, err)
	var simRow results.Row
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(data), &simRow))
	require.Empty(t, simRow.Error)
	require.Equal(t, faultPlan, simRow.Spec.Faults)
	require.Zero(t, simRow.Metrics.Failed)
	require.Contains(t, strings.Join(simRow.Metrics.Notes, "; "), "oracle passed")
}
