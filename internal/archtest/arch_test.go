package archtest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found above the test directory")
		dir = parent
	}
}

// exempt reports whether a file may break the one rule: the real driver
// (engine/host) and the random-number package (sim/rng), and tests.
func exempt(rel string) bool {
	return strings.HasSuffix(rel, "_test.go") ||
		under(filepath.ToSlash(filepath.Dir(rel)), "engine/host") ||
		under(filepath.ToSlash(filepath.Dir(rel)), "sim/rng")
}

func TestEngineAndSimAreDeterministic(t *testing.T) {
	root := repoRoot(t)
	var violations []string
	for _, top := range []string{"engine", "sim"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if exempt(rel) {
				return nil
			}
			found, err := CheckCore(path, nil)
			violations = append(violations, found...)
			return err
		})
		require.NoError(t, err)
	}
	require.Empty(t, violations, "the one rule: engine/ and sim/ code must be deterministic")
}

// System descriptors deploy cores on the simulator and carry out fault
// plans in virtual time: their code is deterministic too (they may name
// os-free packages such as engine/host for their real start).
func TestSystemDescriptorsAreDeterministic(t *testing.T) {
	root := repoRoot(t)
	var violations []string
	err := filepath.WalkDir(filepath.Join(root, "systems"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		found, err := CheckDeterminism(path, nil)
		violations = append(violations, found...)
		return err
	})
	require.NoError(t, err)
	require.Empty(t, violations)
}

func TestDependencyDirection(t *testing.T) {
	root := repoRoot(t)
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	require.NoError(t, err, "go list failed")
	var pkgs []Package
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkgs = append(pkgs, Package{Path: fields[0], Deps: fields[1:]})
	}
	require.NotEmpty(t, pkgs)
	require.Empty(t, CheckImports(pkgs))
}

// The checks must be able to fail: feed them code that breaks every rule.
func TestCheckDeterminismCatchesViolations(t *testing.T) {
	src := `package bad
import (
	clock "time"
	"math/rand"
	"os"
	"net/netip"
	"sync"
)
func f(c chan int) {
	_ = clock.Now()
	clock.Sleep(1)
	<-clock.After(1)
	go f(c)
	select {}
	_ = rand.Int()
}`
	found, err := CheckCore("bad.go", src)
	require.NoError(t, err)
	joined := strings.Join(found, "\n")
	for _, want := range []string{"imports math/rand", "imports os", "imports net/netip", "imports sync", "uses time.Now", "uses time.Sleep", "uses time.After", "go statement", "select statement", "channel type"} {
		require.Contains(t, joined, want)
	}
	notCore, err := CheckDeterminism("bad.go", src)
	require.NoError(t, err)
	require.NotContains(t, strings.Join(notCore, "\n"), "imports sync", "sync is banned in cores only")
	clean, err := CheckDeterminism("ok.go", "package ok\nimport \"time\"\nfunc d() time.Duration { return time.Second }\n")
	require.NoError(t, err)
	require.Empty(t, clean)
}

func TestCheckImportsCatchesViolations(t *testing.T) {
	m := Module + "/"
	found := CheckImports([]Package{
		{Path: m + "engine/netherite", Deps: []string{m + "engine/port", m + "sim", m + "backends/mem"}},
		{Path: m + "sim", Deps: []string{m + "engine/port", m + "engine/replay"}},
		{Path: m + "faults", Deps: []string{m + "harness"}},
		{Path: m + "harness/cli", Deps: []string{m + "harness"}},
		{Path: m + "engine/replay", Deps: []string{m + "engine/durable", "time"}},
		{Path: m + "engine/original", Deps: []string{m + "systems"}},
		{Path: m + "harness/simrun", Deps: []string{m + "internal/scenarios", m + "systems/netherite"}},
		{Path: m + "internal/scenarios/golden", Deps: []string{m + "internal/scenarios"}},
	})
	require.Len(t, found, 6, "%v", found)
	require.Contains(t, found, "harness/simrun imports internal/scenarios: internal/scenarios is a test suite: only tests may depend on it")
}
