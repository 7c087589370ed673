package workloads

import (
	"testing"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay/replaytest"
	"github.com/dflab/dflab/workloads/workload"
	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

// small are parameters that keep every workload quick on the reference loop.
var small = map[string]string{
	"hello3":    ``,
	"hello5":    ``,
	"sequence":  `{"length":5}`,
	"bank":      `{"pairs":4,"initialBalance":5000}`,
	"wordcount": `{"mappers":2,"reducers":3,"bookWords":300,"vocabulary":200,"topK":5}`,
	"collision": `{"blocks":12,"realLeaf":500}`,
	"imagerec":  `{"minSide":16,"maxSide":48,"thumbSide":8,"rekognitionFailFraction":0.5}`,
	"lifecycle": `{"attempts":3,"failures":1,"suspend":true}`,
}

// TestEveryWorkloadOnTheReferenceLoop runs each workload open-loop twice
// from one seed, once with cached executors and once replaying every step
// (which catches nondeterministic orchestrators), and checks the oracle
// and that both runs agree.
func TestEveryWorkloadOnTheReferenceLoop(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			w, err := New(name, []byte(small[name]))
			require.NoError(t, err)
			load := workload.OpenLoad(2, 3*time.Second, workload.Fixed)
			a := workloadtest.Generate(t, w, load, 11)
			require.Equal(t, a, workloadtest.Generate(t, w, load, 11), "same seed, same schedule")

			var runs []workload.Run
			for _, cursor := range []bool{true, false} {
				reg := durable.NewRegistry()
				require.NoError(t, w.Register(reg))
				run := workloadtest.RunArrivals(t, replaytest.New(t, reg, cursor), a)
				require.NoError(t, w.Check(run))
				runs = append(runs, run)
			}
			require.Equal(t, runs[0], runs[1])
			require.Equal(t, 6*w.Units().PerInstance, workload.TotalUnits(w, a))
		})
	}
}
