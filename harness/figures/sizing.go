package figures

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// Throughput run sizes, as the paper ran them (paper-notes, "Setup").
const (
	singleInstances = 1000 // Hello5 on one node, either engine
	// WordCount: words per book (the paper's 5,000; mappers read at most
	// that many) and vocabulary.
	wordCountBookWords  = 5000
	wordCountVocabulary = 1000
)

// closedInstances is the paper's Hello5 and Bank load of an engine on a
// cluster shape: Hello5 1,000 on one node, on clusters 5,000 (original)
// and 5,000 on 1-core / 10,000 on 2- and 4-core nodes (Netherite); Bank
// 1,000 / 2,000 / 3,000 transactions on 1 / 2 / 4 cores (original) and
// 1,000 (one node) or 2,000 (clusters) / 3,000 / 4,000 (Netherite); the
// sql engine as the original (the provider's own benchmark: 5,000 Hello5).
func closedInstances(workload, engine string, nodes, cores int) int {
	netherite := engine == spec.EngineNetherite
	if workload == "hello5" {
		switch {
		case nodes == 1:
			return singleInstances
		case netherite && cores > 1:
			return 10_000
		default:
			return 5000
		}
	}
	switch {
	case cores >= 4:
		return map[bool]int{false: 3000, true: 4000}[netherite]
	case cores == 2:
		return map[bool]int{false: 2000, true: 3000}[netherite]
	case netherite && nodes > 1:
		return 2000
	default:
		return 1000
	}
}

// paperLaunchers is how many Hello5 orchestrations each launcher entity
// starts on multi-node 2- and 4-core runs, as the paper's load did.
const paperLaunchers = 200

// wordCountShapes are WordCount's mappers × reducers per cluster size:
// the paper's range 5×10 … 150×36, interpolated between its ends.
var wordCountShapes = map[int][2]int{1: {5, 10}, 4: {50, 20}, 8: {100, 30}, 12: {150, 36}}

// collisionBlocks is B (10^9 numbers each) per cluster size, within the
// paper's 100..1,000.
var collisionBlocks = map[int]int{1: 100, 4: 200, 8: 400, 12: 600}

// activitiesPerNode is the paper's cap on concurrent Collision
// activities per node, by cores per node.
var activitiesPerNode = map[int]int{1: 10, 2: 15, 4: 20}

const throughputSizing = "closed load as the paper: Hello5 starts 1,000 orchestrations on 1 node, 5,000 on clusters " +
	"(Netherite on 2- and 4-core clusters 10,000); Bank 1,000 / 2,000 / 3,000 transactions on 1 / 2 / 4 cores (original) and " +
	"1,000 on 1 node or 2,000 on clusters / 3,000 / 4,000 (Netherite), all started at once: Hello5 on multi-node 2- and 4-core " +
	"runs by launcher entities that start 200 each (the client signals them), as the paper, every other load by the client; WordCount runs one job of M×R = 5×10, 50×20, 100×30, 150×36 on 1, 4, 8, 12 nodes " +
	"with 5,000-word books over a 1,000-word vocabulary, as the paper; Collision searches " +
	"B = 100, 200, 400, 600 blocks on 1, 4, 8, 12 nodes with at most 10/15/20 concurrent activities per node on " +
	"1/2/4 cores, as the paper. Counts are multiplied by the run's scale."

// throughputTimeLimit is how long a throughput run may take after its
// last start (virtual time) before it is reported as not done.
const throughputTimeLimit = spec.Duration(time.Hour)

// fitThroughput sizes a throughput point by its cluster shape.
func fitThroughput(s *spec.Spec, cfg Config) error {
	n := s.Cluster.Nodes
	// A run ends at the last instance's own record of its completion, not
	// the client's poll that found it, as the calibration measures its
	// targets (calibrate.throughputLoad). The time limit is an hour of
	// virtual time: the original engine's WordCount of 150 books of 5,000
	// words on 12 one-core nodes takes about 11 minutes, past the default.
	s.Load = spec.Load{Kind: spec.LoadClosed, Instances: 1, LatencyEnd: spec.LatencyEndStatus, TimeLimit: throughputTimeLimit}
	switch s.Workload.Name {
	case "hello5", "bank":
		s.Load.Instances = cfg.scaled(closedInstances(s.Workload.Name, s.Engine.Name, n, s.Cluster.Cores))
		if s.Workload.Name == "hello5" && n > 1 && s.Cluster.Cores > 1 {
			s.Load.Launchers = paperLaunchers
		}
	case "wordcount":
		shape, ok := wordCountShapes[n]
		if !ok {
			return fmt.Errorf("wordcount: no M×R shape for %d nodes (have 1, 4, 8, 12)", n)
		}
		return setParams(s, map[string]any{"mappers": shape[0], "reducers": shape[1],
			"bookWords": cfg.scaled(wordCountBookWords), "vocabulary": wordCountVocabulary})
	case "collision":
		blocks, ok := collisionBlocks[n]
		perNode, ok2 := activitiesPerNode[s.Cluster.Cores]
		if !ok || !ok2 {
			return fmt.Errorf("collision: no size for %d nodes × %d cores (have nodes 1, 4, 8, 12 × cores 1, 2, 4)", n, s.Cluster.Cores)
		}
		capActivities(s, perNode)
		return setParams(s, map[string]any{"blocks": cfg.scaled(blocks)})
	default:
		return fmt.Errorf("workload %q has no throughput size", s.Workload.Name)
	}
	return nil
}

// capActivities applies the paper's per-node activity cap: per worker
// for the original and sql engines, per partition (spread over the nodes) for
// Netherite.
func capActivities(s *spec.Spec, perNode int) {
	switch s.Engine.Name {
	case spec.EngineNetherite:
		parts := max(s.Engine.Int("partitions"), 1)
		s.Engine = s.Engine.With(systems.Values{"maxActivities": fmt.Sprint(max(1, (perNode*s.Cluster.Nodes+parts-1)/parts))})
	case spec.EngineOriginal, spec.EngineSQL:
		s.Engine = s.Engine.With(systems.Values{"maxConcurrentActivities": fmt.Sprint(perNode)})
	}
}

func setParams(s *spec.Spec, p map[string]any) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("%s params: %w", s.Workload.Name, err)
	}
	s.Workload.Params = b
	return nil
}

// fitLatency scales a latency run's duration.
func fitLatency(s *spec.Spec, cfg Config) error {
	d := time.Duration(float64(latencyDuration) * cfg.Scale).Round(time.Second)
	s.Load.Duration = spec.Duration(max(d, time.Second))
	return nil
}
