package simrun

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/systems"
)

// takeovers measures, for every crash of the plan after which each
// partition the node ran runs on another node (systems.Takeovers;
// Netherite: its lease expired and a standby took it over), the virtual time from the crash
// until the last of them ran again (metrics.MeasureTakeover). A crash
// whose partitions came back on the node itself (it restarted) took
// nothing over and is left out.
func (r *run) takeovers() []metrics.Recovery {
	n, ok := r.eng.(systems.Takeovers)
	if !ok || r.plan == nil {
		return nil
	}
	names := map[string]int{}
	for i, id := range r.nodes {
		names[r.d.NodeName(id)] = i
	}
	var out []metrics.Recovery
	for _, f := range r.plan.Timed() {
		if !f.Kind.Crashes() {
			continue
		}
		node := r.nodes[names[f.Node]]
		t := n.TakeoverOf(r.d, node, f.At)
		done, ok := t.Done(node)
		if !ok {
			continue
		}
		var went []string
		for i, p := range t.Partitions {
			went = append(went, fmt.Sprintf("p%d→%s", p, r.d.NodeName(t.Nodes[i])))
		}
		out = append(out, metrics.Recovery{Fault: f.String(), AtMs: ms(f.At), RecoveryMs: ms(done - f.At),
			Measure: metrics.MeasureTakeover, Detail: strings.Join(went, " ")})
	}
	return out
}

func ms(t port.Time) float64 { return float64(t) / float64(port.Millisecond) }
