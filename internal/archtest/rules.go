package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// Module is the module path the rules speak about.
const Module = "github.com/dflab/dflab"

// bannedTimeFuncs are the package time functions that read or wait on the
// wall clock.
var bannedTimeFuncs = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

// bannedImports are packages whose mere import breaks determinism.
var bannedImports = map[string]bool{
	"math/rand": true, "math/rand/v2": true, "crypto/rand": true,
}

// coreBannedImports are packages that would let a core do I/O or share
// memory across goroutines: cores get their inputs from a driver and ask
// it for everything else (CheckCore).
var coreBannedImports = map[string]bool{
	"os": true, "io/ioutil": true, "syscall": true, "net": true, "sync": true,
}

// coreBannedPrefixes are package trees banned in cores as a whole.
var coreBannedPrefixes = []string{"net/", "os/", "sync/"}

func coreBanned(path string) bool {
	if coreBannedImports[path] {
		return true
	}
	for _, p := range coreBannedPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// CheckCore is CheckDeterminism for engine and simulator code, which also
// may not import os, net or sync packages (nor their subpackages).
func CheckCore(filename string, src any) ([]string, error) {
	found, err := CheckDeterminism(filename, src)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ImportsOnly)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", filename, err)
	}
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); coreBanned(path) {
			found = append(found, fmt.Sprintf("%s: imports %s", fset.Position(imp.Pos()), path))
		}
	}
	return found, nil
}

// CheckDeterminism parses one Go source file and returns a description of
// every construct the one rule forbids: wall-clock reads and waits, random
// number packages, go statements, select statements and channel types.
func CheckDeterminism(filename string, src any) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", filename, err)
	}
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	timeName := ""
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if bannedImports[path] {
			report(imp, "imports "+path)
		}
		if path == "time" {
			timeName = "time"
			if imp.Name != nil {
				timeName = imp.Name.Name
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GoStmt:
			report(x, "go statement")
		case *ast.SelectStmt:
			report(x, "select statement")
		case *ast.ChanType:
			report(x, "channel type")
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && timeName != "" && id.Name == timeName && bannedTimeFuncs[x.Sel.Name] {
				report(x, "uses time."+x.Sel.Name)
			}
		}
		return true
	})
	return found, nil
}

// Package is one package of the module with its transitive dependencies.
type Package struct {
	Path string
	Deps []string
}

// CheckImports returns every violation of DESIGN.md's dependency direction:
// engine/** depends on no sim, backends, faults or harness package; sim/**
// depends on no engine package but engine/port; nothing outside harness/
// depends on harness; engine/** depends on no system descriptor
// (systems/**); no production package depends on internal/scenarios (a
// test suite; the dependencies listed are those of non-test code).
func CheckImports(pkgs []Package) []string {
	var found []string
	for _, p := range pkgs {
		rel, ok := relPath(p.Path)
		if !ok {
			continue
		}
		for _, d := range p.Deps {
			drel, ok := relPath(d)
			if !ok {
				continue
			}
			if why := forbidden(rel, drel); why != "" {
				found = append(found, fmt.Sprintf("%s imports %s: %s", rel, drel, why))
			}
		}
	}
	sort.Strings(found)
	return found
}

func forbidden(from, to string) string {
	switch {
	case under(from, "engine") && (under(to, "sim") || under(to, "backends") || under(to, "faults") || under(to, "harness")):
		return "engine code must not depend on the simulator, backends, faults or harness"
	case under(from, "sim") && under(to, "engine") && to != "engine/port":
		return "the simulator may depend on engine/port only"
	case !under(from, "harness") && under(to, "harness"):
		return "nothing outside harness/ may depend on harness"
	case under(from, "engine") && under(to, "systems"):
		return "engine code must not depend on the system descriptors (they depend on it)"
	case !under(from, "internal/scenarios") && under(to, "internal/scenarios"):
		return "internal/scenarios is a test suite: only tests may depend on it"
	}
	return ""
}

func relPath(importPath string) (string, bool) {
	if importPath == Module {
		return ".", true
	}
	rel, ok := strings.CutPrefix(importPath, Module+"/")
	return rel, ok
}

func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }
