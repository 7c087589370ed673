package simrun

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/check"
	"github.com/dflab/dflab/systems"
)

// CheckReplay: replay equivalence. Once a Netherite run is over, every
// node crashes and restarts (but those the plan crashed forever); each partition's state recovered from its
// checkpoint and log must equal its state before the crash.
const CheckReplay = "replay-equivalence"

// replayStep is how finely the recovery is watched: each partition's
// state is taken as soon as it runs again, before it processes much.
const replayStep = port.Millisecond

// checkReplay crashes and restarts every node and compares each running
// partition's durable state before and after (deployments that report
// them: systems.DurableStates).
func (r *run) checkReplay() error {
	n, ok := r.eng.(systems.DurableStates)
	if !ok {
		return nil
	}
	before, err := r.durableStates(n)
	if err != nil {
		return err
	}
	from := r.k.Now()
	for _, node := range r.nodes {
		if r.d.NodeUp(node) {
			r.d.Crash(node)
		}
		if !r.forever(node) {
			r.d.RestartAt(from+replayStep, node)
		}
	}
	after := map[int][]byte{}
	for t := from + replayStep; len(after) < len(before); t += replayStep {
		if t > from+readBudget {
			return failed(CheckReplay, fmt.Errorf("%d of %d partitions not running again %v after a crash",
				len(before)-len(after), len(before), time.Duration(readBudget)))
		}
		r.d.RunUntil(t)
		now, err := r.durableStates(n)
		if err != nil {
			return err
		}
		for p, s := range now {
			if _, was := before[p]; was && after[p] == nil {
				after[p] = s
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
			var f *check.Failure
			if errors.As(err, &f) {
				err = errors.New(f.Detail) // the checker's name is CheckError's
			}
			return failed(CheckReplay, err)
		}
	}
	return nil
}

// durableStates returns the durable state of every running partition; two
// running cores of one partition fail the check.
func (r *run) durableStates(n systems.DurableStates) (map[int][]byte, error) {
	out, err := n.DurableStates(r.d)
	if err != nil {
		return nil, failed(CheckReplay, err)
	}
	return out, nil
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
