package cli

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

func call(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = dflab(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// Help asked for (-h, --help, help, help CMD) goes to stdout and exits 0;
// usage after a mistake goes to stderr and exits 2.
func TestUsageAndHelpForEveryCommand(t *testing.T) {
	code, out, errOut := call(t)
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "usage: dflab <command>")
	for _, ask := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		code, out, errOut = call(t, ask...)
		require.Equal(t, 0, code, ask)
		require.Empty(t, errOut, ask)
		require.Contains(t, out, "usage: dflab <command>", ask)
	}
	code, out, errOut = call(t, "frobnicate")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Contains(t, errOut, `unknown command "frobnicate"`)
	for name := range commands {
		for _, ask := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
			code, out, errOut := call(t, ask...)
			require.Equal(t, 0, code, ask)
			require.Empty(t, errOut, ask)
			require.Contains(t, out, "usage: dflab "+name, ask)
			require.Contains(t, out, "flags:", ask)
		}
	}
	code, out, errOut = call(t, "spec", "--no-such-flag")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "flag provided but not defined: -no-such-flag")
	require.Contains(t, errOut, "usage: dflab spec")
	code, out, errOut = call(t, "faults", "--seeds", "many")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Contains(t, errOut, `invalid value "many" for flag -seeds`)
}

func TestVersion(t *testing.T) {
	code, out, errOut := call(t, "version")
	require.Equal(t, 0, code, errOut)
	require.Empty(t, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 3, out)
	require.Equal(t, "dflab "+results.Version+", module ", lines[0][:len("dflab "+results.Version+", module ")])
	require.True(t, strings.HasPrefix(lines[1], "revision "), lines[1])
	require.Equal(t, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH, lines[2])

	var b bytes.Buffer
	printVersion(&b, "mylab", &debug.BuildInfo{Main: debug.Module{Path: "example.com/mylab", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-12-07T10:00:00Z"}}})
	require.Equal(t, "mylab "+results.Version+", module example.com/mylab v1.2.3\nrevision abc123-dirty (committed 2026-12-07T10:00:00Z)\n"+lines[2]+"\n", b.String())
	b.Reset()
	printVersion(&b, "dflab", nil)
	require.Contains(t, b.String(), "module unknown unknown\nrevision unknown\n")
}

func TestSpecFromFlagsAndFile(t *testing.T) {
	code, out, errOut := call(t, "spec", "--engine", "netherite", "--backend", "sim", "--workload", "hello3",
		"--nodes", "4", "--cores", "2", "--load", "open:10:60s:fixed", "--set", "engine.netherite.speculation=none",
		"--faults", "at 5s crash node2", "--seed", "9", "--reps", "6")
	require.Equal(t, 0, code, errOut)
	s, err := spec.Parse([]byte(out))
	require.NoError(t, err)
	require.Equal(t, "none", s.Engine.Knob("speculation"))
	require.Equal(t, spec.Load{Kind: "open", RatePerSec: 10, Duration: spec.Duration(time.Minute), Spacing: "fixed", TimeLimit: spec.DefaultTimeLimit}, s.Load)
	require.Equal(t, "at 5s crash node2", s.Faults)
	require.Equal(t, 6, s.Repetitions)

	file := filepath.Join(t.TempDir(), "spec.json")
	require.NoError(t, os.WriteFile(file, []byte(out), 0o644))
	code, again, _ := call(t, "spec", file)
	require.Equal(t, 0, code)
	require.Equal(t, out, again)
	code, over, _ := call(t, "spec", "--spec", file, "--nodes", "12")
	require.Equal(t, 0, code)
	require.Contains(t, over, `"nodes": 12`)
}

// --knob sets a knob by its one name (the system descriptor's): the
// same name as in specs, golden scripts and campaign draws.
func TestKnobFlagSetsKnobsByTheirOneName(t *testing.T) {
	code, out, errOut := call(t, "spec", "--engine", "netherite", "--backend", "sim", "--workload", "hello3",
		"--knob", "checkpoint.logBytes=64KiB", "--knob", "partitions=3", "--knob", "takeoverPoll=5s")
	require.Equal(t, 0, code, errOut)
	s, err := spec.Parse([]byte(out))
	require.NoError(t, err)
	require.Equal(t, systems.Values{"checkpoint.logBytes": "65536", "partitions": "3", "takeoverPoll": "5s"},
		systems.Values{"checkpoint.logBytes": s.Engine.Knob("checkpoint.logBytes"), "partitions": s.Engine.Knob("partitions"), "takeoverPoll": s.Engine.Knob("takeoverPoll")})
	require.Contains(t, out, `"logBytes": 65536`)
	code, _, errOut = call(t, "spec", "--engine", "netherite", "--backend", "disk", "--workload", "hello3", "--knob", "takeoverPoll=5s")
	require.Equal(t, 1, code)
	require.Equal(t, "dflab spec: spec.engine.netherite.takeoverPoll: the real runner cannot honour it (only the sim runner does)\n", errOut)
	code, _, errOut = call(t, "spec", "--backend", "sim", "--workload", "hello3", "--knob", "partitions=3")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "--knob partitions: name the engine first")
}

func TestSpecErrorsNameTheField(t *testing.T) {
	code, _, errOut := call(t, "spec", "--engine", "netherite", "--backend", "sim", "--workload", "hello5",
		"--set", "engine.netherite.speculation=fast")
	require.Equal(t, 1, code)
	require.Equal(t, "dflab spec: spec.engine.netherite.speculation: \"fast\": allowed none, local, global\n", errOut)
	code, _, errOut = call(t, "spec", "--load", "closed")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "want closed:N or open:RATE:DURATION")
	code, _, errOut = call(t, "spec", "--set", "cluster.gpus=2", "--engine", "original", "--backend", "sim", "--workload", "bank")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "spec.cluster.gpus: unknown field; allowed: nodes, cores")
}

func TestCommandsThatNeedEnginesSaySo(t *testing.T) {
	old := registry
	registry = harness.NewRegistry()
	t.Cleanup(func() { registry = old })
	dir := t.TempDir()
	for _, args := range [][]string{
		{"run", "--engine", "original", "--backend", "sim", "--workload", "bank", "--out", filepath.Join(dir, "r.jsonl")},
		{"repro", "--engine", "original", "--backend", "sim", "--workload", "bank", "--seed", "5"},
		{"figures"},
	} {
		code, _, errOut := call(t, args...)
		require.Equal(t, 1, code, args)
		require.Contains(t, errOut, "no engine registered", args)
	}
	_, err := os.Stat(filepath.Join(dir, "r.jsonl"))
	require.True(t, os.IsNotExist(err), "no results file without an engine")
}

// withFakeEngines swaps in a registry whose runners finish 20 instances.
func withFakeEngines(t *testing.T) {
	t.Helper()
	reg := harness.NewRegistry()
	fake := harness.RunnerFunc(func(_ context.Context, req harness.Request) (metrics.Set, error) {
		rec, err := metrics.NewRecorder(metrics.Virtual, time.Second)
		if err != nil {
			return metrics.Set{}, err
		}
		per := time.Duration(req.Spec.Cluster.Nodes) * 10 * time.Millisecond
		for i := range 20 {
			rec.Complete(0, per*time.Duration(i+1)+time.Duration(req.Seed)*time.Millisecond)
		}
		return rec.Set("orchestrations", 1)
	})
	require.NoError(t, reg.Register("netherite", fake))
	require.NoError(t, reg.Register("original", fake))
	require.NoError(t, reg.Register("sql", fake))
	old := registry
	registry = reg
	t.Cleanup(func() { registry = old })
}

func TestSweepThenPlot(t *testing.T) {
	withFakeEngines(t)
	dir := t.TempDir()
	matrix := filepath.Join(dir, "m.json")
	require.NoError(t, os.WriteFile(matrix, []byte(`{"base":{"engine":{"name":"original"},"backend":{"kind":"sim"},
		"workload":{"name":"hello5"},"repetitions":2},
		"axes":[{"path":"engine","values":[{"name":"original"},{"name":"netherite"}]},{"path":"cluster.nodes","values":[1,4]}]}`), 0o644))
	code, out, errOut := call(t, "sweep", "--matrix", matrix, "--dry-run")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 4, strings.Count(out, "\n"))

	// --out's directory is created; a second sweep appends to the file.
	res := filepath.Join(dir, "new", "runs.jsonl")
	for i := 1; i <= 2; i++ {
		code, _, errOut = call(t, "sweep", "--matrix", matrix, "--out", res)
		require.Equal(t, 0, code, errOut)
		f, err := os.Open(res)
		require.NoError(t, err)
		rows, err := results.Read(f)
		require.NoError(t, f.Close())
		require.NoError(t, err)
		require.Len(t, rows, 8*i)
	}

	charts := filepath.Join(dir, "charts")
	code, out, errOut = call(t, "plot", "--in", res, "--out", charts, "--normalize", "--logx")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "scaleout-hello5.png")
	require.Contains(t, out, "summary.csv")
	pf, err := os.Open(filepath.Join(charts, "cdf-hello5.png"))
	require.NoError(t, err)
	_, err = png.Decode(pf)
	require.NoError(t, pf.Close())
	require.NoError(t, err)
	svg, err := os.ReadFile(filepath.Join(charts, "traffic-requests.svg"))
	require.NoError(t, err)
	require.Contains(t, string(svg), "<svg")
}

func TestPlotErrors(t *testing.T) {
	code, _, errOut := call(t, "plot", "--in", filepath.Join(t.TempDir(), "missing.jsonl"))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "results file")
}

func TestSchemaPrints(t *testing.T) {
	code, out, _ := call(t, "schema")
	require.Equal(t, 0, code)
	require.Contains(t, out, "`throughput_per_s`")
}

func TestFiguresList(t *testing.T) {
	code, out, errOut := call(t, "figures", "--list")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "fig9         144 specs  864 runs  Fig. 9: throughput scale-out")
	require.Contains(t, out, "sqlscaling     4 specs   24 runs  The sql engine's throughput by database vCores")
	require.Contains(t, out, "fig10          0 specs    0 runs  Fig. 10: storage traffic (charts fig9's runs on 4 nodes × 2 cores)")
	code, _, errOut = call(t, "figures", "--only", "fig42")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `figure "fig42" is not one of`)
}

// A real run prints the engine's notable events to stderr by default.
func TestRealRunPrintsEngineEvents(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rows.jsonl")
	code, _, errOut := call(t, "run", "--engine", "netherite", "--backend", "disk", "--workload", "hello5",
		"--load", "closed:2", "--out", out)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `(?m)^engine: netherite p00: recovered to seq 0 \(checkpoint seq 0, 0 updates replayed\), log end 0$`, errOut)
}

// dflab spec and dflab run check a spec with one function
// (harness.Check): what run rejects, spec rejects with the same error.
func TestSpecRejectsWhatRunRejects(t *testing.T) {
	base := []string{"--engine", "netherite", "--backend", "sim", "--workload", "hello5", "--load", "closed:2"}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"workload params": {[]string{"--params", `{"cities":3}`}, `spec.workload: workload hello5: hello5 parameters: json: unknown field "cities"`},
		"model set":       {[]string{"--models", "paper2099"}, `spec.backend.models = "paper2099": allowed: default, paper2022`},
		"fault syntax":    {[]string{"--faults", "at 5s explode node0"}, `spec.faults: plan line 1: bad token "explode": unknown timed action`},
		"fault target":    {[]string{"--faults", "at 1s crash node7"}, `spec.faults: inject.Schedule: "at 1s crash node7": node "node7": allowed: node0`},
		"original on disk": {[]string{"--engine", "original", "--backend", "disk"},
			`spec.backend.kind = "disk": storage disk: the original engine needs queues and tables; allowed mem, azure`},
	} {
		t.Run(name, func(t *testing.T) {
			args := append(append([]string{}, base...), c.args...)
			code, _, specErr := call(t, append([]string{"spec"}, args...)...)
			require.Equal(t, 1, code, specErr)
			require.Contains(t, specErr, c.want)
			code, _, runErr := call(t, append([]string{"run", "--out", out}, args...)...)
			require.Equal(t, 1, code, runErr)
			require.Equal(t, strings.TrimPrefix(specErr, "dflab spec: "), strings.TrimPrefix(runErr, "dflab run: "))
		})
	}
	_, err := os.Stat(out)
	require.ErrorIs(t, err, os.ErrNotExist, "nothing ran")
}

// A flag after a positional argument is honoured, an argument a command
// does not take is refused, and an explicit --nodes 0 reaches the spec's
// check instead of meaning "not given".
func TestFlagsAfterArgumentsAndExplicitZero(t *testing.T) {
	code, out, errOut := call(t, "spec", "--engine", "netherite", "--backend", "sim", "--workload", "hello5")
	require.Equal(t, 0, code, errOut)
	file := filepath.Join(t.TempDir(), "spec.json")
	require.NoError(t, os.WriteFile(file, []byte(out), 0o644))
	code, out, errOut = call(t, "spec", file, "--nodes", "3", "--seed", "5")
	require.Equal(t, 0, code, errOut)
	s, err := spec.Parse([]byte(out))
	require.NoError(t, err)
	require.Equal(t, 3, s.Cluster.Nodes)
	require.Equal(t, uint64(5), s.Seed)

	code, _, errOut = call(t, "spec", file, "other.json")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `unexpected argument "other.json": dflab spec takes at most 1 argument(s) besides its flags`)
	code, _, errOut = call(t, "run", "--out", filepath.Join(t.TempDir(), "r.jsonl"), "hello5", "--spec", file)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `unexpected argument "hello5": dflab run takes only flags`)

	for flag, want := range map[string]string{
		"--nodes": "spec.cluster.nodes: 0 given; omit the field for its default (1), or give 1..1024",
		"--cores": "spec.cluster.cores: 0 given; omit the field for its default (1), or give 1..64",
		"--seed":  "spec.seed: 0 given; omit the field for its default (1)",
	} {
		code, _, errOut = call(t, "spec", file, flag, "0")
		require.Equal(t, 1, code, flag)
		require.Contains(t, errOut, want, flag)
	}
	code, _, errOut = call(t, "spec", file, "--load", "closed:0")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "spec.load.instances: 0 given; omit the field for its default (the workload's default load), or give 1..10000000")
}
