package campaign

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dflab/dflab/faults/plan"
)

// Print writes the summary table: seeds run, faults injected by kind,
// violations by checker, and every violation with its repro command.
func (s *Summary) Print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "fault campaign: seeds %d..%d\n", s.From, s.From+s.Seeds-1)
	fmt.Fprintf(&b, "  %-28s %d\n", "seeds run", s.Ran)
	fmt.Fprintf(&b, "  %-28s %d\n", "seeds run twice (same trace)", s.Twice)
	fmt.Fprintf(&b, "  %-28s %d\n", "simulator events", s.Events)
	fmt.Fprintf(&b, "  %-28s %s\n", "wall time", s.Wall.Round(time.Millisecond))
	fmt.Fprintf(&b, "seeds by workload:\n")
	names := make([]string, 0, len(s.Workloads))
	for n := range s.Workloads {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-28s %d\n", n, s.Workloads[n])
	}
	fmt.Fprintf(&b, "faults injected by kind:\n")
	for _, k := range plan.Kinds {
		fmt.Fprintf(&b, "  %-28s %d\n", k, s.Faults[k])
	}
	fmt.Fprintf(&b, "violations by checker:\n")
	by := s.ByChecker()
	for _, c := range Checkers() {
		fmt.Fprintf(&b, "  %-28s %d\n", c, by[c])
	}
	vs := append([]Violation(nil), s.Violations...)
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Seed < vs[j].Seed })
	for _, v := range vs {
		fmt.Fprintf(&b, "VIOLATION seed %d [%s] %s: %s\n  repro: %s\n", v.Seed, v.Checker, v.Case, firstLine(v.Message), v.Repro)
	}
	if len(vs) == 0 {
		fmt.Fprintf(&b, "no violations\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// firstLine cuts a message to its first 400 bytes of its first line.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}
