package faults_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/internal/archtest"
)

// The injectors run inside the simulator, so faults/ keeps the one rule
// too: no wall clock, sleeps, goroutines, channels or math/rand outside
// tests (latency for real runs goes through a caller-supplied sleeper).
func TestFaultsCodeIsDeterministic(t *testing.T) {
	var found []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		v, err := archtest.CheckDeterminism(path, nil)
		found = append(found, v...)
		return err
	})
	require.NoError(t, err)
	require.Empty(t, found)
}
