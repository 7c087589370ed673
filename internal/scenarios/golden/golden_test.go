package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/faults/check"
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
				t.Fatalf("the outcome of %s changed (review, then rewrite with -update):\n%s", name,
					strings.Join(check.Diff(golden, []byte(out.Summary)), "\n"))
			}
		})
	}
}
