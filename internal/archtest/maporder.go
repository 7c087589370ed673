package archtest

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// OrderFree is the directive that marks a reviewed range over a map whose
// order cannot reach a result, with the reason after it, on the line
// before the for statement (or at its end):
//
//	//archtest:orderfree each value is reset independently
const OrderFree = "archtest:orderfree"

// CheckMapOrder returns every range over a map, in the type-checked
// files, whose iteration order can reach a result (Go randomises it, so
// such a result differs from run to run under the same seed):
//
//   - the body appends to a slice declared outside the loop, and the
//     enclosing function does not sort that slice after the loop
//     (sort.*, slices.Sort*);
//   - the body calls a function for its effect (the result unused) on
//     anything declared outside the loop: a send, a trace line, a
//     scheduled event, a write;
//   - the body accumulates a float (rounding depends on the order) or a
//     string into a variable declared outside the loop;
//   - the body returns a value derived from the loop's key or value (an
//     element picked by the order).
//
// A loop marked with the OrderFree directive and a reason is skipped.
func CheckMapOrder(fset *token.FileSet, files []*ast.File, info *types.Info) []string {
	var found []string
	for _, f := range files {
		directives := orderFreeLines(fset, f)
		eachFuncBody(f, func(body *ast.BlockStmt) {
			for _, rs := range rangesOverMaps(body, info) {
				line := fset.Position(rs.For).Line
				if reason, ok := directives[line]; ok || hasKey(directives, line-1) {
					if !ok {
						reason = directives[line-1]
					}
					if strings.TrimSpace(reason) == "" {
						found = append(found, fmt.Sprintf("%s: %s needs a reason", fset.Position(rs.For), OrderFree))
					}
					continue
				}
				for _, why := range orderEffects(rs, body, info) {
					found = append(found, fmt.Sprintf("%s: range over map %s: %s", fset.Position(rs.For), types.ExprString(rs.X), why))
				}
			}
		})
	}
	return found
}

func hasKey(m map[int]string, k int) bool { _, ok := m[k]; return ok }

// orderFreeLines maps the line of every OrderFree directive to its reason.
func orderFreeLines(fset *token.FileSet, f *ast.File) map[int]string {
	out := map[int]string{}
	for _, g := range f.Comments {
		for _, c := range g.List {
			text := strings.TrimPrefix(c.Text, "//")
			if rest, ok := strings.CutPrefix(text, OrderFree); ok {
				out[fset.Position(c.Pos()).Line] = rest
			}
		}
	}
	return out
}

// eachFuncBody calls do with every function body of f (declarations and
// literals), each once.
func eachFuncBody(f *ast.File, do func(*ast.BlockStmt)) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			if x.Body != nil {
				do(x.Body)
			}
		case *ast.FuncLit:
			do(x.Body)
		}
		return true
	})
}

// rangesOverMaps lists the range statements over maps in body, not
// looking into nested function literals (they are bodies of their own).
func rangesOverMaps(body *ast.BlockStmt, info *types.Info) []*ast.RangeStmt {
	var out []*ast.RangeStmt
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.RangeStmt:
			if t := info.TypeOf(x.X); t != nil {
				if _, ok := t.Underlying().(*types.Map); ok {
					out = append(out, x)
				}
			}
		}
		return true
	})
	return out
}

// orderEffects says how rs's iteration order can reach a result.
func orderEffects(rs *ast.RangeStmt, fn *ast.BlockStmt, info *types.Info) []string {
	outer := func(obj types.Object) bool {
		if obj == nil || obj.Pkg() == nil {
			return false // builtins, universe
		}
		if _, ok := obj.(*types.Var); !ok {
			return false // functions, types, constants
		}
		return obj.Pos() < rs.Pos() || obj.Pos() >= rs.End()
	}
	loopVar := func(obj types.Object) bool {
		return obj != nil && obj.Pos() >= rs.Pos() && obj.Pos() < rs.End()
	}
	var found []string
	appended := map[types.Object]string{} // the slice grown, as written
	var order []types.Object
	ast.Inspect(rs.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range x.Lhs {
				obj := rootObj(lhs, info)
				if !outer(obj) {
					continue
				}
				if _, seen := appended[obj]; i < len(x.Rhs) && appendsTo(x.Rhs[i], obj, info) && !seen {
					appended[obj] = types.ExprString(lhs)
					order = append(order, obj)
				}
				if x.Tok != token.ASSIGN && x.Tok != token.DEFINE && orderSensitive(info.TypeOf(lhs)) {
					found = append(found, fmt.Sprintf("accumulates %s (%s) in map order", types.ExprString(lhs), info.TypeOf(lhs)))
				}
			}
		case *ast.ExprStmt:
			call, ok := x.X.(*ast.CallExpr)
			if !ok || isBuiltinCall(call, "", info) || isConversion(call, info) {
				return true
			}
			if touches(call, info, outer) {
				found = append(found, fmt.Sprintf("calls %s for its effect in map order", types.ExprString(call.Fun)))
			}
		case *ast.ReturnStmt:
			for _, r := range x.Results {
				if touches(r, info, loopVar) {
					found = append(found, "returns an element picked by map order")
					break
				}
			}
		}
		return true
	})
	for _, obj := range order {
		if !sortedAfter(fn, rs.End(), obj, info) {
			found = append(found, fmt.Sprintf("appends to %s in map order and does not sort it afterwards", appended[obj]))
		}
	}
	return found
}

// orderSensitive reports whether accumulating into a value of type t
// depends on the order: floating-point sums round differently, strings
// concatenate in order.
func orderSensitive(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsFloat|types.IsComplex|types.IsString) != 0
}

// rootObj is the variable an lvalue expression is rooted at (x in x, x.f,
// x[i], *x).
func rootObj(e ast.Expr, info *types.Info) types.Object {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return info.ObjectOf(x)
		case *ast.SelectorExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// touches reports whether e mentions a variable for which pick is true.
func touches(e ast.Node, info *types.Info, pick func(types.Object) bool) bool {
	hit := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && pick(info.ObjectOf(id)) {
			hit = true
		}
		return !hit
	})
	return hit
}

// appendsTo reports whether e is append(x, ...) with x rooted at obj: the
// loop grows obj in iteration order (a fresh append([]T(nil), v...) into
// a map entry does not).
func appendsTo(e ast.Expr, obj types.Object, info *types.Info) bool {
	if !isBuiltinCall(e, "append", info) {
		return false
	}
	args := e.(*ast.CallExpr).Args
	return len(args) > 0 && rootObj(args[0], info) == obj
}

// isBuiltinCall reports whether e calls the builtin name (any builtin
// when name is "").
func isBuiltinCall(e ast.Expr, name string, info *types.Info) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.ObjectOf(id).(*types.Builtin)
	return ok && (name == "" || b.Name() == name)
}

func isConversion(call *ast.CallExpr, info *types.Info) bool {
	tv, ok := info.Types[call.Fun]
	return ok && tv.IsType()
}

// sortFuncs are the functions that put a slice (their first argument) in
// a fixed order.
var sortFuncs = map[string]bool{
	"sort.Strings": true, "sort.Ints": true, "sort.Float64s": true, "sort.Slice": true,
	"sort.SliceStable": true, "sort.Sort": true, "sort.Stable": true,
	"slices.Sort": true, "slices.SortFunc": true, "slices.SortStableFunc": true,
}

// sortedAfter reports whether fn sorts obj after position from: with a
// function of sortFuncs, or one of its own package whose name begins with
// sort (sortInt64s(ids)).
func sortedAfter(fn *ast.BlockStmt, from token.Pos, obj types.Object, info *types.Info) bool {
	sorted := false
	ast.Inspect(fn, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || call.Pos() < from || len(call.Args) == 0 {
			return !sorted
		}
		arg := call.Args[0]
		if conv, ok := arg.(*ast.CallExpr); ok && isConversion(conv, info) && len(conv.Args) == 1 {
			arg = conv.Args[0] // sort.Sort(byName(s))
		}
		if isSortFunc(call.Fun, info) && rootObj(arg, info) == obj {
			sorted = true
		}
		return !sorted
	})
	return sorted
}

func isSortFunc(fun ast.Expr, info *types.Info) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		_, isFunc := info.ObjectOf(f).(*types.Func)
		return isFunc && (strings.HasPrefix(f.Name, "sort") || strings.HasPrefix(f.Name, "Sort"))
	case *ast.SelectorExpr:
		pkg, ok := f.X.(*ast.Ident)
		if !ok {
			return false
		}
		pn, ok := info.ObjectOf(pkg).(*types.PkgName)
		return ok && sortFuncs[pn.Imported().Path()+"."+f.Sel.Name]
	}
	return false
}
