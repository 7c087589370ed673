package cli

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
)

// dflab run prints one summary line on stdout: what ran, throughput,
// p50/p99 and where the rows went; --progress into a file (not a
// terminal) writes plain lines, no escape codes.
func TestRunPrintsOneSummaryLineAndPlainProgress(t *testing.T) {
	withFakeEngines(t)
	out := filepath.Join(t.TempDir(), "rows.jsonl")
	code, stdout, stderr := call(t, "run", "--engine", "netherite", "--workload", "hello5", "--nodes", "2", "--reps", "3", "--out", out, "--progress")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `^hello5 on netherite/sim 2×1: [0-9.]+ orchestrations/s, p50 [0-9.]+ ms, p99 [0-9.]+ ms \(medians of 3 runs\); 3 rows appended to `+regexp.QuoteMeta(out)+"\n$", stdout)
	require.NotContains(t, stderr, "\033")
	require.NotContains(t, stderr, "\r")
	require.Contains(t, stderr, "runs 1/3")
	require.True(t, strings.HasSuffix(stderr, "\n"), stderr)
	require.Contains(t, lastLine(stderr), "runs 3/3")
	require.Contains(t, lastLine(stderr), "done in")

	code, stdout, stderr = call(t, "run", "--engine", "netherite", "--workload", "hello5", "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stderr, "no progress into a file unless asked")
	require.Contains(t, stdout, "; 1 row appended to ")
	require.NotContains(t, stdout, "medians")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// bench --format gobench prints Go benchmark lines (benchstat's input)
// on stdout and its report on stderr; --count repeats every point with
// the next seeds; the simulated metrics do not depend on --workers.
func TestBenchGobenchFormatAndWorkers(t *testing.T) {
	withFakeEngines(t)
	bench := func(workers string) (lines []string, stderr string) {
		code, stdout, stderr := call(t, "bench", "--out", t.TempDir(), "--format", "gobench", "--count", "2", "--workers", workers)
		require.Equal(t, 0, code, stderr)
		require.True(t, strings.HasPrefix(stdout, "goos: "), stdout)
		for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
			if strings.HasPrefix(l, "Benchmark") {
				require.Regexp(t, `^BenchmarkDflab/[a-z0-9]+/(netherite|original|sql)/[14]x4\t1\t[0-9]+ ns/op\t\S+ units/s\t\S+ p50-ms\t\S+ p99-ms\t\S+ requests/unit\t[0-9]+ events$`, l)
				_, metrics, _ := strings.Cut(l, " ns/op") // wall time aside
				lines = append(lines, strings.SplitN(l, "\t", 2)[0]+metrics)
			}
		}
		return lines, stderr
	}
	one, stderr := bench("1")
	require.Len(t, one, len(benchWorkloads)*2*len(spec.Engines)*2, "every point twice")
	require.Contains(t, stderr, "runs in")
	require.Contains(t, stderr, "charts (PNG, SVG and PDF)")
	three, _ := bench("3")
	require.Equal(t, one, three)

	code, stdout, stderr := call(t, "bench", "--out", t.TempDir(), "--format", "csv")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Equal(t, "dflab bench: --format \"csv\": allowed table, gobench\n", stderr)
	code, _, stderr = call(t, "bench", "--workers", "0")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "--workers 0: allowed 1 or more")
}

// faults shows a progress line (plain into a file) and runs seeds on
// --workers goroutines with the same summary as one worker.
func TestFaultsProgressAndWorkers(t *testing.T) {
	summary := func(workers string) string {
		code, stdout, stderr := call(t, "faults", "--seeds", "4", "--from", "20", "--workers", workers, "--progress")
		require.Equal(t, 0, code, stderr)
		require.Equal(t, "seeds 4/4 · 0 violations", strings.SplitN(lastLine(stderr), " · ", 3)[0]+" · "+strings.SplitN(lastLine(stderr), " · ", 3)[1])
		require.NotContains(t, stderr, "\033")
		return regexp.MustCompile(`wall time +\S+`).ReplaceAllString(stdout, "wall time")
	}
	require.Equal(t, summary("1"), summary("2"))
	code, _, stderr := call(t, "faults", "--seeds", "4", "--workers", "0")
	require.Equal(t, 1, code)
	require.Equal(t, "dflab faults: --workers 0: allowed: 1 or more\n", stderr)
}

// buildDflab builds the dflab binary once for the tests that run it as a
// child process.
func buildDflab(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build dflab with")
	}
	bin := filepath.Join(t.TempDir(), "dflab")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/dflab/dflab/harness/cmd/dflab")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// A real SIGINT to a running dflab: the command stops, says
// "interrupted" and exits 130; faults prints the summary of the seeds it
// finished and no false violation, run records no failed run. The signal
// is sent once the first progress line shows the command is under way.
func TestInterruptExits130WithoutFalseFindings(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dflab binary")
	}
	bin := buildDflab(t)
	dir := t.TempDir()
	for name, c := range map[string]struct {
		args      []string
		wait      string // the progress line to wait for
		stdout    []string
		stderrNot []string
	}{
		"faults": {[]string{"faults", "--seeds", "1000000", "--workers", "1", "--progress"}, "seeds 1/1000000",
			[]string{"fault campaign: seeds 1..1000000", "no violations"}, []string{"VIOLATION", "context canceled", "repro"}},
		"run": {[]string{"run", "--engine", "netherite", "--workload", "hello5", "--load", "closed:500", "--reps", "1000",
			"--out", filepath.Join(dir, "rows.jsonl"), "--progress"}, "runs 1/1000",
			[]string{"hello5 on netherite/sim 1×1: "}, []string{"failed", "context canceled"}},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			pipe, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			var stderr strings.Builder
			lines := bufio.NewScanner(pipe)
			for lines.Scan() {
				stderr.WriteString(lines.Text() + "\n")
				if strings.HasPrefix(lines.Text(), c.wait) {
					require.NoError(t, cmd.Process.Signal(os.Interrupt))
					break
				}
			}
			for lines.Scan() {
				stderr.WriteString(lines.Text() + "\n")
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, stderr.String())
			require.Equal(t, 130, exit.ExitCode(), stderr.String())
			require.Equal(t, "dflab "+c.args[0]+": interrupted", lastLine(stderr.String()))
			for _, want := range c.stdout {
				require.Contains(t, stdout.String(), want)
			}
			for _, not := range c.stderrNot {
				require.NotContains(t, stderr.String(), not)
			}
		})
	}
}

// Help asked of the binary goes to stdout, errors to stderr, with the
// exit codes a shell sees.
func TestBinaryStreamsAndExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dflab binary")
	}
	bin := buildDflab(t)
	for _, c := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"--help"}, 0, "usage: dflab <command>", ""},
		{[]string{"run", "--help"}, 0, "usage: dflab run", ""},
		{[]string{}, 2, "", "usage: dflab <command>"},
		{[]string{"run", "--nope"}, 2, "", "flag provided but not defined: -nope"},
		{[]string{"spec", "--engine", "warp"}, 1, "", "dflab spec: "},
		{[]string{"version"}, 0, "revision ", ""},
	} {
		cmd := exec.Command(bin, c.args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else {
			require.NoError(t, err)
		}
		require.Equal(t, c.code, code, c.args)
		if c.stdout == "" {
			require.Empty(t, stdout.String(), c.args)
		} else {
			require.Contains(t, stdout.String(), c.stdout, c.args)
		}
		if c.stderr == "" {
			require.Empty(t, stderr.String(), c.args)
		} else {
			require.Contains(t, stderr.String(), c.stderr, c.args)
		}
	}
}
