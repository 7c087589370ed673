package simrun

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/check"
	"github.com/dflab/dflab/internal/scenarios"
)

// CheckReplay: replay equivalence. Once a Netherite run is over, every
// node crashes and restarts; each partition's state recovered from its
// checkpoint and log must equal its state before the crash.
const CheckReplay = "replay-equivalence"

// replayStep is how finely the recovery is watched: each partition's
// state is taken as soon as it runs again, before it processes much.
const replayStep = port.Millisecond

// checkReplay crashes and restarts every node and compares each running
// partition's durable state before and after (Netherite only).
func (r *run) checkReplay() error {
	n, ok := r.eng.(*scenarios.Netherite)
	if !ok {
		return nil
	}
	before := map[int][]byte{}
	for p, id := range n.Cores {
		if x, ok := r.d.Core(id).(*netherite.Partition); ok {
			if s := x.DurableState(); s != nil {
				before[p] = s
			}
		}
	}
	from := r.k.Now()
	for _, node := range r.nodes {
		if r.d.NodeUp(node) {
			r.d.Crash(node)
		}
		r.d.RestartAt(from+replayStep, node)
	}
	after := map[int][]byte{}
	for t := from + replayStep; len(after) < len(before); t += replayStep {
		if t > from+budgetAfter {
			return failed(CheckReplay, fmt.Errorf("%d of %d partitions not running again %v after a crash",
				len(before)-len(after), len(before), time.Duration(budgetAfter)))
		}
		r.d.RunUntil(t)
		for p := range before {
			if x, ok := r.d.Core(n.Cores[p]).(*netherite.Partition); ok && after[p] == nil {
				if s := x.DurableState(); s != nil {
					after[p] = s
				}
			}
		}
	}
	parts := make([]int, 0, len(before))
	for p := range before {
		parts = append(parts, p)
	}
	sort.Ints(parts)
	for _, p := range parts {
		if err := check.SameState(fmt.Sprintf("partition p%d", p), hexLines(before[p]), hexLines(after[p])); err != nil {
			return failed(CheckReplay, err)
		}
	}
	return nil
}

// hexLines dumps an encoding 32 bytes a line, so that a diff says where
// two states differ.
func hexLines(b []byte) []byte {
	var s strings.Builder
	for i := 0; i < len(b); i += 32 {
		fmt.Fprintf(&s, "%06x %s\n", i, hex.EncodeToString(b[i:min(i+32, len(b))]))
	}
	return []byte(s.String())
}
