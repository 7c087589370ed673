package netherite

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// Placement is the cluster's balancing rule for partitions over worker
// processes: given the names of the live workers (in any order; each
// worker sees them as the lease-held worker blobs, see WorkerBlob) it
// returns, for every partition, the worker that should own it. The rule is
// deterministic, so every worker that sees the same live set computes the
// same placement without talking to the others, and even: each worker owns
// floor(P/n) or ceil(P/n) partitions. Each (partition, worker) pair has a
// rank (rendezvous hashing: FNV-1a of worker and partition); going down
// the pairs by rank, a pair places its partition on its worker unless the
// partition is placed or the worker is full. So a worker joining or
// leaving mostly moves only the partitions it takes or leaves. A worker whose view is stale for a moment only delays a move:
// the partition lease, not the placement, decides who runs a partition.
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
	// Every (partition, worker) pair by rank, highest first (ties by
	// partition, then worker): a pair places its partition if the
	// partition has no worker yet and the worker has room left.
	type pair struct {
		rank uint32
		p, w int
	}
	pairs := make([]pair, 0, partitions*len(ws))
	for p := 0; p < partitions; p++ {
		for i, w := range ws {
			pairs = append(pairs, pair{rank(w, p), p, i})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if a.rank != b.rank {
			return cmp.Compare(b.rank, a.rank)
		}
		if a.p != b.p {
			return a.p - b.p
		}
		return a.w - b.w
	})
	floor, ceils := partitions/len(ws), partitions%len(ws) // ceils workers may own floor+1
	count := make([]int, len(ws))
	owners := make([]string, partitions)
	for _, x := range pairs {
		if owners[x.p] != "" || count[x.w] > floor || count[x.w] == floor && ceils == 0 {
			continue
		}
		if count[x.w] == floor {
			ceils-- // it takes one of the floor+1 places
		}
		count[x.w]++
		owners[x.p] = ws[x.w]
	}
	return owners, nil
}

// rank is worker w's rendezvous weight for partition p.
func rank(w string, p int) uint32 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d", w, p)
	return h.Sum32()
}

// WorkerPrefix is the blob name prefix under which the workers of a task
// hub advertise themselves.
func WorkerPrefix(hub string) string { return hub + "/workers/" }

// WorkerBlob is the blob worker name keeps a lease on while it lives (its
// content: what it reports about itself, e.g. the partitions it runs).
func WorkerBlob(hub, name string) string { return WorkerPrefix(hub) + name }
