package cli

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	nethsys "github.com/dflab/dflab/systems/netherite"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/hello"
	"github.com/dflab/dflab/workloads/workload"
)

// A program that registers its own system and workload gets every
// subcommand for them.
func TestOptionsServeOutsideSystemsAndWorkloads(t *testing.T) {
	toy := *nethsys.System
	toy.Name, toy.Summary = "toy", "Netherite under another name"
	greet := workloads.Factory{Name: "greet", Summary: "hello, twice",
		New:      func([]byte) (workload.Workload, error) { return hello.NewHello(2) },
		Defaults: func() any { return struct{}{} }}
	opts := []Option{WithEngine(&toy), WithWorkload(greet), WithProgram("lab")}
	lab := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		code := dflab(context.Background(), args, &o, &e, opts...)
		return code, o.String(), e.String()
	}
	code, out, errOut := lab("systems")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "system toy")
	require.Contains(t, out, "workload greet")
	code, out, errOut = lab("spec", "--engine", "toy", "--backend", "sim", "--workload", "greet", "--knob", "partitions=2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"toy": {`)
	code, out, errOut = lab("run", "--engine", "toy", "--backend", "sim", "--workload", "greet", "--load", "closed:3",
		"--knob", "partitions=2", "--out", t.TempDir()+"/r.jsonl")
	require.Equal(t, 0, code, errOut+out)
	code, out, errOut = lab("faults", "--seeds", "3", "--engines", "toy", "--workloads", "greet", "--twice-every", "-1")
	require.Equal(t, 0, code, errOut+out)
	require.Contains(t, out, "no violations")
	code, out, errOut = lab("repro", "--seed", "2", "--engines", "toy", "--workloads", "greet")
	require.Equal(t, 0, code, errOut+out)
	require.Contains(t, out, "seed 2: toy ")
	require.Contains(t, out, "every checker passed")

	// The plain program names what a repro of the outside system needs.
	code, _, errOut = call(t, "repro", "--seed", "2", "--engines", "toy")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `--engines: unknown system "toy" (known: netherite, original, sql, workflow, queuechain, blobchain, lambdachain); a program that registers it (cli.WithEngine) can run it`)
	code, _, errOut = call(t, "spec", "--engine", "toy", "--backend", "sim", "--workload", "hello3")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `spec.engine.name: "toy" is not one of netherite, original`)

	var e bytes.Buffer
	require.Equal(t, 2, dflab(context.Background(), []string{"systems"}, &e, &e, WithEngine(nethsys.System)))
	require.Contains(t, e.String(), "cli.WithEngine: systems: system netherite registered twice")
}
