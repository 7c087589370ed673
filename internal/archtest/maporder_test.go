package archtest

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"
)

// loadTyped type-checks the packages matching patterns in dir.
func loadTyped(t *testing.T, dir string, patterns ...string) []*packages.Package {
	t.Helper()
	cfg := &packages.Config{Dir: dir, Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
		packages.NeedTypes | packages.NeedTypesInfo}
	pkgs, err := packages.Load(cfg, patterns...)
	require.NoError(t, err)
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("%s: %v", p.PkgPath, e)
		}
	}
	return pkgs
}

// The cores' results do not depend on map order: every range over a map
// in engine/, sim/ and the system descriptors (the real driver and tests
// aside) sorts what it collects, or is marked order-free with a reason.
func TestCoresDoNotDependOnMapOrder(t *testing.T) {
	root := repoRoot(t)
	var found []string
	for _, p := range loadTyped(t, root, "./engine/...", "./sim/...", "./systems/...") {
		rel, _ := relPath(p.PkgPath)
		if under(rel, "engine/host") {
			continue
		}
		found = append(found, CheckMapOrder(p.Fset, p.Syntax, p.TypesInfo)...)
	}
	require.Empty(t, found, "results must not depend on map order:\n%s", strings.Join(found, "\n"))
}

// plantedMapOrder breaks the rule every way CheckMapOrder knows, beside
// the patterns that keep it.
const plantedMapOrder = `package planted

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

type core struct {
	out   []string
	trace strings.Builder
	sum   float64
	names map[string]int
}

func (c *core) emit(s string) { c.out = append(c.out, s) }

func (c *core) bad(m map[string]int) (string, error) {
	var keys []string
	for k := range m { // 1: collected, never sorted
		keys = append(keys, k)
	}
	for k, v := range m { // 2: emits in map order
		c.emit(fmt.Sprint(k, v))
	}
	for k := range m { // 3: writes a trace in map order
		c.trace.WriteString(k)
	}
	for _, v := range m { // 4: float sum rounds by order
		c.sum += float64(v)
	}
	label := ""
	for k := range m { // 5: string built in map order
		label += k
	}
	for k, v := range m { // 6: picks an element by order
		if v > 0 {
			return k, nil
		}
	}
	for k := range c.names { // 7: appends to a field
		c.out = append(c.out, k)
	}
	for k := range m { //archtest:orderfree
		keys = append(keys, k)
	}
	return label + strings.Join(keys, ","), nil
}

func (c *core) good(m map[string]int, sets map[int][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ns []int
	for k := range sets {
		ns = append(ns, k)
	}
	slices.Sort(ns)
	total := 0
	copied := map[string][]byte{}
	for k, v := range m {
		total += v                        // integer sums commute
		copied[k] = append([]byte(nil), k...) // a fresh slice per key
		delete(m, k)
	}
	for _, v := range sets {
		v[0] = "" // the element's own state
	}
	//archtest:orderfree each key is written to its own entry
	for k := range m {
		c.emit(k)
	}
	_ = total
	return keys
}
`

// The map-order check must be able to fail: it flags each planted
// violation once, on its line, and nothing in the good function.
func TestCheckMapOrderCatchesPlantedViolations(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "planted.go", plantedMapOrder, parser.ParseComments)
	require.NoError(t, err)
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	_, err = conf.Check("planted", fset, []*ast.File{f}, info)
	require.NoError(t, err)
	found := CheckMapOrder(fset, []*ast.File{f}, info)
	want := []string{
		"planted.go:21:2: range over map m: appends to keys in map order and does not sort it afterwards",
		"planted.go:24:2: range over map m: calls c.emit for its effect in map order",
		"planted.go:27:2: range over map m: calls c.trace.WriteString for its effect in map order",
		"planted.go:30:2: range over map m: accumulates c.sum (float64) in map order",
		"planted.go:34:2: range over map m: accumulates label (string) in map order",
		"planted.go:37:2: range over map m: returns an element picked by map order",
		"planted.go:42:2: range over map c.names: appends to c.out in map order and does not sort it afterwards",
		"planted.go:45:2: archtest:orderfree needs a reason",
	}
	require.Equal(t, want, found)
}
