package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// TestGolden runs every script under testdata and compares its outcome
// summary with the .golden file beside it.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.script")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".script")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(f)
			require.NoError(t, err)
			s, err := Parse(name, string(text))
			require.NoError(t, err)
			if s.Pending != "" {
				t.Skipf("pending: %s", s.Pending)
			}
			out, err := Run(s)
			require.NoError(t, err)
			want := strings.TrimSuffix(f, ".script") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(want, []byte(out.Summary), 0o644))
			}
			require.Empty(t, out.Failures, "%s\n%s", strings.Join(out.Failures, "\n"), out.Summary)
			golden, err := os.ReadFile(want)
			require.NoError(t, err, "no %s: run go test ./internal/scenarios/golden -update", want)
			if string(golden) != out.Summary {
				t.Fatalf("the outcome of %s changed (review, then rewrite with -update):\n%s", name, diffLines(string(golden), out.Summary))
			}
		})
	}
}

// diffLines is a line diff of a and b (longest common subsequence):
// removed lines start with "-", added ones with "+", common ones with " ".
func diffLines(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			out.WriteString("  " + x[i] + "\n")
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] > lcs[i+1][j]):
			out.WriteString("+ " + y[j] + "\n")
			j++
		default:
			out.WriteString("- " + x[i] + "\n")
			i++
		}
	}
	return out.String()
}

func TestDiffLinesMarksChangedLines(t *testing.T) {
	require.Equal(t, "  a\n- b\n+ B\n  c\n+ d\n", diffLines("a\nb\nc", "a\nB\nc\nd"))
}
