package figures

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

func expand(t *testing.T, id string) []spec.Spec {
	t.Helper()
	f, err := ByID(DefaultConfig(), id)
	require.NoError(t, err)
	specs, err := f.Expand()
	require.NoError(t, err)
	return specs
}

func TestEveryFigureExpandsToValidDistinctSpecsOnTheOneModelSet(t *testing.T) {
	seen := map[string]string{}
	total := 0
	for _, f := range All(DefaultConfig()) {
		specs, err := f.Expand()
		require.NoError(t, err, f.ID)
		for _, s := range specs {
			require.Equal(t, Models, s.Backend.Models, "every figure runs on the Models constant")
			require.Equal(t, uint64(Seed), s.Seed)
			if f.ID == "whatif" {
				require.Equal(t, WhatIfRepetitions, s.Repetitions, "the what-if has a CPU budget")
			} else {
				require.Equal(t, Repetitions, s.Repetitions)
			}
			id, err := results.ConfigID(s)
			require.NoError(t, err)
			require.NotContains(t, seen, id, "%s duplicates a spec of %s", f.ID, seen[id])
			seen[id] = f.ID
			total += s.Repetitions
		}
	}
	// Fig. 9: 4 workloads × 3 engines × 4 node counts × 3 core counts;
	// Fig. 11: 4 panels × 4 engine configurations, plus the workflow
	// service (Hello3, image recognition) and four chains (Sequence);
	// speculation: 4 workloads × 3 levels; elasticity: 2 engines;
	// sqlscaling: 4 vCores. Six repetitions each; the what-if: 2
	// workloads × 2 engines × 6 sizes, two repetitions each.
	require.Equal(t, (144+16+2+4+12+2+4)*6+24*WhatIfRepetitions, total)
}

func TestFig9IsThePaperMatrix(t *testing.T) {
	specs := expand(t, "fig9")
	require.Len(t, specs, 4*3*4*3)
	count := map[string]int{}
	for _, s := range specs {
		count[s.Workload.Name]++
		count[s.Engine.Name]++
		count[shapeOf(s.Cluster)]++
		switch s.Engine.Name {
		case spec.EngineNetherite:
			require.Equal(t, PaperPartitions, s.Engine.Int("partitions"))
			require.Equal(t, spec.SpeculationLocal, s.Engine.Knob("speculation"))
		case spec.EngineSQL:
			require.Equal(t, 16, s.Engine.Int("vCores"))
		default:
			require.Equal(t, PaperControlQs, s.Engine.Int("controlQueues"))
		}
	}
	for _, w := range ThroughputWorkloads {
		require.Equal(t, 36, count[w], w)
	}
	require.Equal(t, 48, count["netherite"])
	require.Equal(t, 48, count["sql"])
	for _, n := range []int{1, 4, 8, 12} {
		for _, c := range []int{1, 2, 4} {
			require.Equal(t, 12, count[shapeOf(spec.Cluster{Nodes: n, Cores: c})])
		}
	}
}

func TestClosedLoadsAreThePapers(t *testing.T) {
	for _, c := range []struct {
		workload, engine string
		nodes, cores     int
		want             int
	}{
		{"hello5", "original", 1, 4, 1000}, {"hello5", "netherite", 1, 2, 1000},
		{"hello5", "original", 8, 4, 5000}, {"hello5", "netherite", 8, 1, 5000}, {"hello5", "netherite", 8, 2, 10_000},
		{"bank", "original", 1, 1, 1000}, {"bank", "original", 4, 2, 2000}, {"bank", "original", 12, 4, 3000},
		{"bank", "netherite", 1, 1, 1000}, {"bank", "netherite", 4, 1, 2000}, {"bank", "netherite", 4, 2, 3000},
		{"bank", "netherite", 1, 4, 4000},
	} {
		require.Equal(t, c.want, closedInstances(c.workload, c.engine, c.nodes, c.cores), "%+v", c)
	}
}

func TestThroughputRunsAreSizedByTheirShape(t *testing.T) {
	for _, s := range expand(t, "fig9") {
		n, c := s.Cluster.Nodes, s.Cluster.Cores
		require.Equal(t, spec.LatencyEndStatus, s.Load.LatencyEnd, "ends at the recorded completion, as the calibration")
		require.Equal(t, throughputTimeLimit, s.Load.TimeLimit)
		switch s.Workload.Name {
		case "hello5", "bank":
			require.Equal(t, closedInstances(s.Workload.Name, s.Engine.Name, n, c), s.Load.Instances)
		case "wordcount":
			var p struct{ Mappers, Reducers int }
			require.NoError(t, json.Unmarshal(s.Workload.Params, &p))
			require.Equal(t, wordCountShapes[n], [2]int{p.Mappers, p.Reducers})
		case "collision":
			var p struct{ Blocks int }
			require.NoError(t, json.Unmarshal(s.Workload.Params, &p))
			require.Equal(t, collisionBlocks[n], p.Blocks)
			if s.Engine.Name != spec.EngineNetherite {
				require.Equal(t, activitiesPerNode[c], s.Engine.Int("maxConcurrentActivities"))
			} else {
				// the per-node cap spread over 12 partitions, rounded up
				require.Equal(t, (activitiesPerNode[c]*n+11)/12, s.Engine.Int("maxActivities"))
			}
		}
	}
	small := Config{Models: "default", Repetitions: 1, Scale: 0.01}
	f, err := ByID(small, "fig9")
	require.NoError(t, err)
	specs, err := f.Expand()
	require.NoError(t, err)
	require.Equal(t, 10, specs[0].Load.Instances, "scale multiplies the sizes")
	require.Equal(t, 1, specs[0].Repetitions)
}

func TestFig10ChartsFig9sRunsAndOthersRunTheirOwn(t *testing.T) {
	f, err := ByID(DefaultConfig(), "fig10")
	require.NoError(t, err)
	require.Equal(t, "fig9", f.Source)
	require.Empty(t, expand(t, "fig10"))
	found := 0
	for _, s := range expand(t, "fig9") {
		if s.Cluster == f.Shape {
			found++
		}
	}
	require.Equal(t, 12, found, "fig9 has the shape fig10 charts, for 4 workloads × 3 engines")
	systems := map[string]int{}
	for _, s := range expand(t, "fig11") {
		systems[System(s)]++
		require.Equal(t, spec.Cluster{Nodes: 4, Cores: 2}, s.Cluster)
		require.Equal(t, spec.LoadOpen, s.Load.Kind)
	}
	require.Equal(t, map[string]int{SystemNetheriteLocal: 4, SystemNetheriteNone: 4, SystemOriginal: 4, SystemSQL: 4, SystemStepFunctions: 2,
		"queue chain (2020 host)": 1, "queue chain (current host)": 1, "blob chain": 1, "Lambda chain (simulated)": 1}, systems)
	for _, s := range expand(t, "elasticity") {
		require.Equal(t, ElasticityPlan, s.Faults)
	}
}

func TestBadConfigAndIDsAreClearErrors(t *testing.T) {
	_, err := ByID(DefaultConfig(), "fig42")
	require.ErrorContains(t, err, `figure "fig42" is not one of fig9, fig10, fig11, speculation, elasticity`)
	require.ErrorContains(t, Config{Models: "default", Repetitions: 0, Scale: 1}.Validate(), "repetitions = 0")
	require.ErrorContains(t, Config{Models: "default", Repetitions: 1, Scale: 0}.Validate(), "scale = 0")
	require.ErrorContains(t, Config{Repetitions: 1, Scale: 1}.Validate(), "models is empty")
	times, texts, err := faultMarks(ElasticityPlan)
	require.NoError(t, err)
	require.Equal(t, []float64{15, 25, 35, 45}, times)
	require.Equal(t, []string{"crash node1", "restart node1", "crash node2", "restart node2"}, texts)
}

func TestPaperCSVHoldsPaperNotesNumbersOnly(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WritePaperCSV(&buf))
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	require.NoError(t, err)
	require.Equal(t, PaperColumns, recs[0])
	require.Len(t, recs, 1+4*2*3+4*4) // Fig. 9 single node, Hello3 quantiles
	require.Equal(t, []string{"fig9", "hello5", SystemOriginal, "original", "", "1", "1", "throughput_per_s", "15.1", "orchestrations/s", "calibration"}, recs[1][:11])
	last := recs[len(recs)-1]
	require.Equal(t, []string{"fig11", "hello3", SystemStepFunctions, "", "", "4", "2", "latency_p99_ms", "545", "ms", "calibration"}, last[:11])
	// the committed copy the notebooks read is this one (make plots writes it)
	committed, err := os.ReadFile(filepath.Join("..", "..", "results", PaperFile))
	require.NoError(t, err)
	require.Equal(t, buf.String(), string(committed), "results/paper.csv is stale: make plots")
}
