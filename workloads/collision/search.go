package collision

import (
	"fmt"
	"slices"

	"github.com/dflab/dflab/engine/durable"
)

// Registered names.
const (
	SearchOrchestrator = "CollisionSearch"
	SearchActivity     = "SearchActivity"
)

// SearchInput is an interval of whole blocks to search.
type SearchInput struct {
	Start     uint64 `json:"start"`     // first number of the interval (a block boundary)
	Blocks    int    `json:"blocks"`    // number of blocks in the interval
	BlockSize uint64 `json:"blockSize"` // nominal numbers per block (10^9)
	RealLeaf  uint64 `json:"realLeaf"`  // numbers a leaf really hashes, from its block's start
	Target    uint32 `json:"target"`
	Arity     int    `json:"arity"` // sub-orchestrations per split (10)
}

// LeafInput is SearchActivity's input: hash [From, From+Count).
type LeafInput struct {
	From   uint64 `json:"from"`
	Count  uint64 `json:"count"`
	Target uint32 `json:"target"`
}

// SearchResult is an interval's collisions, ascending.
type SearchResult struct {
	Collisions []uint64 `json:"collisions"`
}

// Split divides blocks into min(arity, blocks) parts whose sizes differ
// by at most one, larger parts first.
func Split(blocks, arity int) []int {
	n := min(arity, blocks)
	out := make([]int, n)
	for j := range out {
		out[j] = blocks / n
		if j < blocks%n {
			out[j]++
		}
	}
	return out
}

func search(ctx *durable.OrchestrationContext) (any, error) {
	var in SearchInput
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("collision search input: %w", err)
	}
	if in.Blocks < 1 || in.Arity < 2 {
		return nil, fmt.Errorf("collision search input: blocks = %d, arity = %d: want blocks >= 1 and arity >= 2", in.Blocks, in.Arity)
	}
	if in.Blocks == 1 {
		var res SearchResult
		err := ctx.CallActivity(SearchActivity, LeafInput{From: in.Start, Count: in.RealLeaf, Target: in.Target}).Await(&res)
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	parts := Split(in.Blocks, in.Arity)
	tasks := make([]*durable.Task, len(parts))
	start := in.Start
	for j, b := range parts {
		if b == 1 {
			tasks[j] = ctx.CallActivity(SearchActivity, LeafInput{From: start, Count: in.RealLeaf, Target: in.Target})
		} else {
			sub := in
			sub.Start, sub.Blocks = start, b
			tasks[j] = ctx.CallSubOrchestrator(SearchOrchestrator, sub)
		}
		start += uint64(b) * in.BlockSize
	}
	var all SearchResult
	for _, t := range tasks {
		var res SearchResult
		if err := t.Await(&res); err != nil {
			return nil, err
		}
		all.Collisions = append(all.Collisions, res.Collisions...)
	}
	slices.Sort(all.Collisions)
	return all, nil
}

func searchLeaf(ctx durable.ActivityContext) (any, error) {
	var in LeafInput
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("SearchActivity input: %w", err)
	}
	return SearchResult{Collisions: searchRange(in.From, in.Count, in.Target)}, nil
}
