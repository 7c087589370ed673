package spec

import (
	"fmt"

	"github.com/dflab/dflab/systems"
)

// paperThroughputUnits are the Event Hubs throughput units the paper
// provisioned for each workload (paper-notes, "Setup the paper used": Hello
// 5, Bank 20, WordCount 20, Collision 4); Hello3, the Hello latency run,
// takes Hello's.
var paperThroughputUnits = map[string]int{"hello3": 5, "hello5": 5, "bank": 20, "wordcount": 20, "collision": 4}

// KnobThroughputUnits is Netherite's knob of Event Hubs throughput units
// (systems/netherite.KnobThroughputUnits; spec does not import systems'
// engines).
const KnobThroughputUnits = "eventHubs.throughputUnits"

// WithPaperThroughputUnits gives a Netherite spec of a paper workload the
// paper's Event Hubs throughput units, unless it sets them itself.
func WithPaperThroughputUnits(s *Spec) {
	tus, ok := paperThroughputUnits[s.Workload.Name]
	if !ok || s.Engine.Name != EngineNetherite || s.Engine.Knob(KnobThroughputUnits) != "" {
		return
	}
	s.Engine = s.Engine.With(systems.Values{KnobThroughputUnits: fmt.Sprint(tus)})
}
