// Package collision is the paper's Collision workload: search B blocks of
// 10^9 consecutive integers from 10^14 for numbers whose 32-bit hash equals
// a target hash. A CollisionSearch orchestration splits an interval of more
// than one block into (up to) 10 parts: a part of several blocks is a
// sub-orchestration, a one-block part is one SearchActivity (only a search
// of B = 1 has an orchestration with a single activity).
//
// The real computation is scaled down: a leaf hashes only the first
// RealLeaf numbers of its block (e.g. 10^5), while the cost model charges
// it for the nominal BlockSize (10^9), so the simulator sees the paper's
// CPU-bound load. The target is the hash of a number the search really
// hashes, so at least one collision exists; the oracle recomputes the
// collision set with a plain loop.
package collision
