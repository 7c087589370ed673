package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SameState is the replay-equivalence check: before is a state's encoding
// before a crash (for the durable prefix), after its encoding once
// recovered. It returns nil when they are equal: byte for byte, or as JSON
// values when both are JSON (so formatting and key order do not matter).
// Otherwise it returns a *Failure whose detail is Diff's readable diff.
// label names the state (e.g. "partition p3 at log position 4096").
func SameState(label string, before, after []byte) error {
	if bytes.Equal(before, after) {
		return nil
	}
	lines := Diff(before, after)
	if len(lines) == 0 {
		return nil // equal as JSON
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: state after recovery differs from the state before the crash (- before, + after)", label)
	for i, l := range lines {
		if i == 2*maxListed {
			fmt.Fprintf(&b, "\n  ... and %d more lines", len(lines)-2*maxListed)
			break
		}
		b.WriteString("\n  " + l)
	}
	return &Failure{Checker: "replay-equivalence", Detail: b.String()}
}

// Diff returns a readable diff of two encodings. When both are JSON it
// compares values by path ("- $.a.b: 1", "+ $.c[2]: \"x\"", "~ $.n: 1 → 2",
// in path order; empty when equal as JSON); otherwise it diffs lines
// ("-12: old", "+12: new", numbered in before and after respectively).
func Diff(before, after []byte) []string {
	var a, b any
	if jsonValue(before, &a) && jsonValue(after, &b) {
		return diffJSON(a, b)
	}
	return diffLines(splitLines(before), splitLines(after))
}

func jsonValue(data []byte, v *any) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return false
	}
	var rest any
	return dec.Decode(&rest) == io.EOF // exactly one value
}

// flatten lists every leaf of a JSON value as path → encoded leaf; empty
// objects and arrays are leaves too.
func flatten(v any, path string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = "{}"
		}
		for k, e := range x {
			flatten(e, path+jsonKey(k), out)
		}
	case []any:
		if len(x) == 0 {
			out[path] = "[]"
		}
		for i, e := range x {
			flatten(e, path+"["+strconv.Itoa(i)+"]", out)
		}
	default:
		enc, _ := json.Marshal(x)
		out[path] = string(enc)
	}
}

// jsonKey is ".key" for identifier-like keys, else `["key"]`.
func jsonKey(k string) string {
	ok := k != ""
	for i, c := range k {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') && c != '-' {
			ok = false
		}
	}
	if ok {
		return "." + k
	}
	return "[" + strconv.Quote(k) + "]"
}

func diffJSON(a, b any) []string {
	fa, fb := map[string]string{}, map[string]string{}
	flatten(a, "$", fa)
	flatten(b, "$", fb)
	paths := make([]string, 0, len(fa)+len(fb))
	for p := range fa {
		paths = append(paths, p)
	}
	for p := range fb {
		if _, ok := fa[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		va, inA := fa[p]
		vb, inB := fb[p]
		switch {
		case !inB:
			out = append(out, "- "+p+": "+va)
		case !inA:
			out = append(out, "+ "+p+": "+vb)
		case va != vb:
			out = append(out, "~ "+p+": "+va+" → "+vb)
		}
	}
	return out
}

func splitLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// maxDiffCells bounds the LCS table; larger inputs are diffed as one
// replaced block after trimming the common prefix and suffix.
const maxDiffCells = 1 << 22

// diffLines is a longest-common-subsequence line diff.
func diffLines(a, b []string) []string {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var out []string
	del := func(i int) { out = append(out, "-"+strconv.Itoa(pre+i+1)+": "+showLine(ma[i])) }
	add := func(j int) { out = append(out, "+"+strconv.Itoa(pre+j+1)+": "+showLine(mb[j])) }
	if len(ma)*len(mb) > maxDiffCells {
		for i := range ma {
			del(i)
		}
		for j := range mb {
			add(j)
		}
		return out
	}
	lcs := lcsTable(ma, mb)
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			i, j = i+1, j+1
		case j == len(mb) || (i < len(ma) && lcs[i+1][j] >= lcs[i][j+1]):
			del(i)
			i++
		default:
			add(j)
			j++
		}
	}
	return out
}

// lcsTable[i][j] is the LCS length of a[i:] and b[j:].
func lcsTable(a, b []string) [][]int {
	t := make([][]int, len(a)+1)
	for i := range t {
		t[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	return t
}

// showLine prints a line as is if it is printable UTF-8, else quoted.
func showLine(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' }) {
		return strconv.Quote(s)
	}
	return s
}
