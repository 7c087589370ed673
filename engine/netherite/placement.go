package netherite

import (
	"fmt"
	"slices"
	"strings"
)

// Placement is the cluster's balancing rule for partitions over worker
// processes: given the names of the live workers (in any order; each
// worker sees them as the lease-held worker blobs, see WorkerBlob) it
// returns, for every partition, the worker that should own it. The rule is
// deterministic, so every worker that sees the same live set computes the
// same placement without talking to the others: workers sorted by name,
// partition p goes to worker p mod n. Each worker thus owns
// floor(P/n) or ceil(P/n) partitions. A worker whose view is stale for a
// moment only delays a move: the partition lease, not the placement, decides
// who runs a partition.
func Placement(live []string, partitions int) ([]string, error) {
	if partitions < 1 {
		return nil, fmt.Errorf("placement: partitions = %d: allowed >= 1", partitions)
	}
	if len(live) == 0 {
		return nil, fmt.Errorf("placement: no live worker")
	}
	ws := slices.Clone(live)
	slices.Sort(ws)
	ws = slices.Compact(ws)
	for _, w := range ws {
		if w == "" || strings.Contains(w, "/") {
			return nil, fmt.Errorf("placement: worker name %q: allowed non-empty, without '/'", w)
		}
	}
	owners := make([]string, partitions)
	for p := range owners {
		owners[p] = ws[p%len(ws)]
	}
	return owners, nil
}

// WorkerPrefix is the blob name prefix under which the workers of a task
// hub advertise themselves.
func WorkerPrefix(hub string) string { return hub + "/workers/" }

// WorkerBlob is the blob worker name keeps a lease on while it lives (its
// content: what it reports about itself, e.g. the partitions it runs).
func WorkerBlob(hub, name string) string { return WorkerPrefix(hub) + name }
