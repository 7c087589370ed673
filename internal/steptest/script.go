package steptest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of step scripts")

// block is one command of a script with its expected output.
type block struct {
	before []string // comment and blank lines before the command
	line   int      // the command's line number
	cmd    string
	want   []string
}

// parse splits a script into blocks; after is what follows the last one.
func parse(path, text string) (bs []block, after []string, err error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var before []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			before = append(before, l)
			continue
		}
		b := block{before: before, line: i + 1, cmd: strings.TrimSpace(l)}
		before = nil
		i++
		if i >= len(lines) || lines[i] != "----" {
			return nil, nil, fmt.Errorf("%s:%d: command %q is not followed by a ---- line", path, b.line, b.cmd)
		}
		for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
			i++
			b.want = append(b.want, lines[i])
		}
		bs = append(bs, b)
	}
	return bs, before, nil
}

func format(bs []block, after []string, got [][]string) string {
	var sb strings.Builder
	for i, b := range bs {
		for _, l := range b.before {
			sb.WriteString(l + "\n")
		}
		sb.WriteString(b.cmd + "\n----\n")
		for _, l := range got[i] {
			sb.WriteString(l + "\n")
		}
		if i < len(bs)-1 || len(after) > 0 {
			if len(bs) > i+1 && (len(bs[i+1].before) == 0 || strings.TrimSpace(bs[i+1].before[0]) != "") {
				sb.WriteString("\n")
			}
		}
	}
	for _, l := range after {
		sb.WriteString(l + "\n")
	}
	return sb.String()
}

// RunDir runs every *.txt script in dir as a subtest named after the
// file, each with a fresh rig from newRig (a rig may keep state of its own,
// such as message counters).
func RunDir(t *testing.T, dir string, newRig func(t *testing.T) Rig) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no step scripts (*.txt) in %s", dir)
	}
	sort.Strings(paths)
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txt"), func(t *testing.T) { Run(t, p, newRig(t)) })
	}
}

// Run runs one script against a fresh harness for rig and compares each
// command's output with the script's (or, with -rewrite, writes it).
func Run(t *testing.T, path string, rig Rig) {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bs, after, got, err := runText(path, string(text), rig)
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for i, b := range bs {
		if !*rewrite && !equal(got[i], b.want) {
			failed = true
			t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s", path, b.line, b.cmd,
				strings.Join(b.want, "\n"), strings.Join(got[i], "\n"))
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(format(bs, after, got)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if failed {
		t.Logf("rewrite the expected output with -rewrite")
	}
}

// runText parses a script and runs its commands against a fresh harness
// for rig: the blocks, what follows them, and each command's output.
func runText(path, text string, rig Rig) (bs []block, after []string, got [][]string, err error) {
	if bs, after, err = parse(path, text); err != nil {
		return nil, nil, nil, err
	}
	h, err := newHarness(rig)
	if err != nil {
		return nil, nil, nil, err
	}
	defer h.close()
	got = make([][]string, len(bs))
	for i, b := range bs {
		got[i] = h.exec(b.cmd)
	}
	return bs, after, got, nil
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
