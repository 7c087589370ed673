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

// kindsFromPortSource collects the string literals returned by every Kind()
// method in engine/port, and reports whether some Kind method computes its
// result instead (TableWriteOp delegates to WriteKind). The relational
// port's SQLCall is "sql-" + its procedure's ProcName, collected the same
// way.
func kindsFromPortSource(t *testing.T) (kinds []string, computed bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "engine", "port", "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
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
			lit, ok := ret.Results[0].(*ast.BasicLit)
			if !ok {
				computed = true
				continue
			}
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
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
		s := k.Kind()
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
