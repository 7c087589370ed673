package plan_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
)

// kindsFromPortSource collects the string literals (or OpKind constants)
// returned by every Kind() method in engine/port, and reports whether some Kind method computes its
// result instead (TableWriteOp delegates to WriteKind). The relational
// port's SQLCall is "sql-" + its procedure's ProcName, collected the same
// way.
func kindsFromPortSource(t *testing.T) (kinds []string, computed bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "engine", "port", "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	fset := token.NewFileSet()
	var parsed []*ast.File
	consts := map[string]string{} // the OpKind constants: name → kind
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, sp := range g.Specs {
					vs := sp.(*ast.ValueSpec)
					if len(vs.Names) == 1 && len(vs.Values) == 1 {
						if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[vs.Names[0].Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	for _, f := range parsed {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || (fn.Name.Name != "Kind" && fn.Name.Name != "ProcName") || len(fn.Body.List) != 1 {
				continue
			}
			ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				computed = true
				continue
			}
			var s string
			switch r := ret.Results[0].(type) {
			case *ast.BasicLit:
				s, err = strconv.Unquote(r.Value)
				require.NoError(t, err)
			case *ast.Ident: // an OpKind constant
				var ok bool
				s, ok = consts[r.Name]
				require.True(t, ok, "Kind returns %s, not a string constant of engine/port", r.Name)
			default:
				computed = true
				continue
			}
			if fn.Name.Name == "ProcName" {
				s = "sql-" + s
			}
			kinds = append(kinds, s)
		}
	}
	return kinds, computed
}

func TestOpKindsMatchEnginePortKindMethods(t *testing.T) {
	kinds, computed := kindsFromPortSource(t)
	require.True(t, computed, "expected TableWriteOp.Kind to delegate to WriteKind")
	for k := port.WriteKind(1); ; k++ {
		s := string(k.Kind())
		if strings.HasPrefix(s, "table-write(") {
			break
		}
		kinds = append(kinds, s)
	}
	sort.Strings(kinds)
	require.Equal(t, kinds, plan.OpKinds(), "plan.opKinds drifted from engine/port's Kind methods")
	require.Equal(t, sim.OpKinds(), plan.OpKinds(), "sim and faults disagree on op kinds")
}

func TestOpGlobs(t *testing.T) {
	require.True(t, plan.MatchOps("table-*", "table-batch"))
	require.True(t, plan.MatchOps("*", "page-write"))
	require.True(t, plan.MatchOps("queue-[de]*", "queue-dequeue"))
	require.False(t, plan.MatchOps("table-*", "page-write"))
	require.False(t, plan.MatchOps("[", "page-write"))
	require.NoError(t, plan.ValidOps("stream-append"))
	require.EqualError(t, plan.ValidOps("tabel-*"),
		"op=tabel-* matches no op kind; allowed: "+strings.Join(plan.OpKinds(), ", "))
	require.ErrorContains(t, plan.ValidOps("page-[write"), "malformed glob")
}
