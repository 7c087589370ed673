package harness

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// Shard selects every Count-th run of a sweep, starting at run Index
// (0-based), so that N processes — an Indexed Job's pods, a Slurm array's
// tasks — each run one shard and MergeRows puts their rows back together.
// The zero Shard is the whole sweep. Runs are numbered in spec order, then
// repetition order, as ExecuteAll writes them; dealing them round-robin
// spreads the expensive points (larger clusters, larger loads) evenly.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/N" with 1 <= i <= N (one-based, as a scheduler's
// array index usually is; SLURM_ARRAY_TASK_ID 1..N, or
// JOB_COMPLETION_INDEX+1).
func ParseShard(s string) (Shard, error) {
	bad := fmt.Errorf("--shard %q: want i/N with 1 <= i <= N, e.g. 3/8", s)
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, bad
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, bad
	}
	return Shard{Index: i - 1, Count: n}, nil
}

// String is the shard in ParseShard's form ("" for the whole sweep).
func (sh Shard) String() string {
	if sh.Count <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", sh.Index+1, sh.Count)
}

// Runs is how many of a sweep's n runs the shard runs.
func (sh Shard) Runs(n int) int {
	if sh.Count <= 1 {
		return n
	}
	return (n - sh.Index + sh.Count - 1) / sh.Count
}

// has says whether run number i of a sweep belongs to the shard.
func (sh Shard) has(i int) bool { return sh.Count <= 1 || i%sh.Count == sh.Index }

// runKey names one run of a sweep: a configuration and a repetition.
type runKey struct {
	config string
	rep    int
}

// sweepKeys lists every run of specs in ExecuteAll's order.
func sweepKeys(cat spec.Catalog, specs []spec.Spec) ([]runKey, error) {
	var keys []runKey
	for i, s := range specs {
		rs, err := s.ResolveIn(cat)
		if err != nil {
			return nil, fmt.Errorf("spec %d (%s): %w", i, s.Name, err)
		}
		id, err := results.ConfigID(rs)
		if err != nil {
			return nil, err
		}
		for rep := range rs.Repetitions {
			keys = append(keys, runKey{id, rep})
		}
	}
	return keys, nil
}

// MergeRows puts the rows of a sharded sweep of specs back into the order
// one unsharded run writes them. Every run must appear exactly once: a
// missing run, a run present twice or a row of another sweep is an error
// that names it (and how many more there are), so a lost or repeated
// shard cannot pass as a complete figure.
func MergeRows(cat spec.Catalog, specs []spec.Spec, rows []results.Row) ([]results.Row, error) {
	keys, err := sweepKeys(cat, specs)
	if err != nil {
		return nil, err
	}
	index := make(map[runKey]int, len(keys))
	for i, k := range keys {
		index[k] = i
	}
	out := make([]results.Row, len(keys))
	seen := make([]bool, len(keys))
	for _, r := range rows {
		i, ok := index[runKey{r.ConfigID, r.Repetition}]
		if !ok {
			return nil, fmt.Errorf("merge: row %s is not a run of this sweep (its spec or model set differs)", r.RunID)
		}
		if seen[i] {
			return nil, fmt.Errorf("merge: run %s appears twice (was a shard merged twice?)", r.RunID)
		}
		out[i], seen[i] = r, true
	}
	var missing []string
	n := 0
	for i, ok := range seen {
		if !ok {
			n++
			missing = append(missing, fmt.Sprintf("%s-r%d", keys[i].config, keys[i].rep))
		}
	}
	if len(missing) > 0 {
		more := ""
		if len(missing) > 3 {
			more = fmt.Sprintf(" and %d more", len(missing)-3)
			missing = missing[:3]
		}
		return nil, fmt.Errorf("merge: %d of %d runs missing: %s%s (a shard not merged, or not finished?)",
			n, len(keys), strings.Join(missing, ", "), more)
	}
	return out, nil
}
