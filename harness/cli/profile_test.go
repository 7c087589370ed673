package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// `dflab run --profile cpu` writes cpu.pprof beside its results, and
// go tool pprof opens it.
func TestRunWritesACPUProfileThatPprofOpens(t *testing.T) {
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "go tool pprof needs the go command")
	dir := t.TempDir()
	out := filepath.Join(dir, "r.jsonl")
	code, _, errOut := call(t, "run", "--engine", "netherite", "--backend", "sim", "--workload", "hello5",
		"--load", "closed:200", "--nodes", "1", "--cores", "2", "--out", out, "--profile", "cpu")
	require.Equal(t, 0, code, errOut)
	file := filepath.Join(dir, "cpu.pprof")
	require.Contains(t, errOut, "cpu profile written to "+file+" (go tool pprof -top "+file+")")
	st, err := os.Stat(file)
	require.NoError(t, err)
	require.Positive(t, st.Size())
	top, err := exec.Command(goBin, "tool", "pprof", "-top", file).CombinedOutput()
	require.NoError(t, err, string(top))
	require.Contains(t, string(top), "Type: cpu")
	require.Contains(t, string(top), "flat%")
}

// A memory profile goes to --profile-dir when given; a wrong kind or a
// directory without a kind is an error naming the flag, before any run.
func TestProfileFlagsAndTheirErrors(t *testing.T) {
	dir, pdir := t.TempDir(), filepath.Join(t.TempDir(), "prof")
	out := filepath.Join(dir, "r.jsonl")
	args := []string{"run", "--engine", "netherite", "--backend", "sim", "--workload", "hello5", "--load", "closed:10", "--out", out}
	code, _, errOut := call(t, append(args, "--profile", "mem", "--profile-dir", pdir)...)
	require.Equal(t, 0, code, errOut)
	require.FileExists(t, filepath.Join(pdir, "mem.pprof"))
	require.NoFileExists(t, filepath.Join(dir, "mem.pprof"))

	code, _, errOut = call(t, append(args, "--profile", "gpu")...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `--profile "gpu": allowed cpu, mem, block, mutex, trace`)
	code, _, errOut = call(t, append(args, "--profile-dir", pdir)...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "without --profile")
	for _, cmd := range []string{"run", "sweep", "figures", "faults", "bench", "calibrate"} {
		_, o, e := call(t, cmd, "--help")
		require.Contains(t, o+e, "-profile", cmd)
	}
}
