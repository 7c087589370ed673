package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/calibrate"
	"github.com/dflab/dflab/sim"
)

func TestCalibrateQuickWritesAValidModelSet(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "smoke.json"), []byte("{}"), 0o600)) // --force overwrites it
	require.NoError(t, os.WriteFile(filepath.Join(dir, "paper2022.json"), []byte("{}"), 0o600))
	code, out, errOut := call(t, "calibrate", "--quick", "--evals", "11", "--name", "smoke", "--out", dir, "--progress", "--force")
	require.Equal(t, 0, code, errOut)
	// The progress line counts evaluations; into a pipe it shows the
	// first line, at most one per 10 s, and the last: the workflow stage's
	// (which lines fall between depends on the machine's speed, so only
	// the last is asserted; harness's StatusLine tests cover the rule).
	require.Regexp(t, `workflow fit: evaluation ([0-9]+)/([0-9]+), .*\n$`, errOut, "the last stage's last line is shown")
	setF, csvF, mdF := calibrate.Files("smoke")
	data, err := os.ReadFile(filepath.Join(dir, setF))
	require.NoError(t, err)
	m, err := sim.LoadModelSet(data)
	require.NoError(t, err)
	require.Equal(t, "smoke", m.Name)
	require.Contains(t, m.Note, "dflab calibrate --quick --evals 11")
	require.Contains(t, m.EngineCPU, "netherite")
	require.Contains(t, m.EngineCPU, "original")
	require.Positive(t, m.EngineCPU["netherite"].CostsMs["work:orchestration-step"].Mean())
	report, err := os.ReadFile(filepath.Join(dir, csvF))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(report)), "\n")
	require.Equal(t, "target,unit,paper,dflab,ratio", lines[0])
	require.Len(t, lines, 1+36, "24 throughput and 12 latency targets")
	require.Contains(t, string(report), "hello3/netherite-none/p99,ms,207,")
	_, err = os.Stat(filepath.Join(dir, mdF))
	require.NoError(t, err)
	require.Contains(t, out, "## Targets")
	data, err = os.ReadFile(filepath.Join(dir, "paper2022.json"))
	require.NoError(t, err)
	require.Equal(t, "{}", string(data), "another set is left alone")
}

func TestCalibrateFlagErrors(t *testing.T) {
	for args, want := range map[string]string{
		"--evals 3":         "--evals = 3: want at least 11",
		"--jobs 0":          "--jobs = 0: want at least 1",
		"--measure-runs -1": "--measure-runs = -1: want at least 1",
		"--name ../x":       `--name = "../x": want letters, digits`,
		"extra":             `unexpected argument "extra"`,
	} {
		code, _, errOut := call(t, append([]string{"calibrate"}, strings.Fields(args)...)...)
		require.Equal(t, 1, code, args)
		require.Contains(t, errOut, want, args)
	}
	code, _, errOut := call(t, "calibrate", "--evalz", "3")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "flag provided but not defined: -evalz")
	// --sql's --start names the sql fit's parameters, not the set's.
	code, _, errOut = call(t, "calibrate", "--sql", "--out", t.TempDir(), "--start", "cpuFactor=3")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `--start with --sql: "cpuFactor=3": want name=value with name one of dbStatementMs, logFlushMs`)
}

// calibrate never overwrites a model set without --force, and --quick's
// default name is not the committed paper2022: the check comes before
// any measurement.
func TestCalibrateRefusesToOverwriteASet(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"paper2022", "quick", "mine"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".json"), []byte("{}"), 0o600))
	}
	for args, file := range map[string]string{
		"":                         "paper2022.json",
		"--quick":                  "quick.json",
		"--name mine":              "mine.json",
		"--quick --name paper2022": "paper2022.json",
	} {
		code, _, errOut := call(t, append([]string{"calibrate", "--out", dir}, strings.Fields(args)...)...)
		require.Equal(t, 1, code, args)
		require.Contains(t, errOut, "model set "+filepath.Join(dir, file)+" exists: choose a new --name, or pass --force to overwrite it", args)
	}
}

func TestCalibrateEvalOnlyScoresTheStartOnce(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := call(t, "calibrate", "--quick", "--eval-only", "--name", "once", "--out", dir, "--measure-runs", "1",
		"--start", "cpuFactor=150,hostMs=0.5,backgroundMs=3")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "after 1 evaluations ("+calibrate.StatusEvalOnly)
	require.Contains(t, out, "uncalibrated default set scores not run")
	require.Contains(t, out, "| cpuFactor | 150 |", "the start point is what ran")
	require.Contains(t, out, "| backgroundMs | 3 |")
	require.NotContains(t, out, "## Workflow service", "no workflow stage")
	require.Contains(t, out, "| hello3/netherite-none/p99 | ms | 207 |")
	require.Regexp(t, `hello3/netherite-none/p99 \| ms \| 207 \| [0-9.]+ \| [0-9.]+ \| not run \|`, out)
	setF, _, _ := calibrate.Files("once")
	_, err := os.Stat(filepath.Join(dir, setF))
	require.NoError(t, err)
	code, _, errOut = call(t, "calibrate", "--eval-only", "--workflow", "--out", dir, "--name", "once", "--force")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "--eval-only: not with --sql or --workflow")
}
