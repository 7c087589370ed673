package harness

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/workloads/workload"
)

func TestWorkloadLoadConverts(t *testing.T) {
	w, err := WorkloadLoad(spec.Load{Kind: "open", RatePerSec: 10, Duration: spec.Duration(time.Minute), Spacing: "fixed"})
	require.NoError(t, err)
	require.Equal(t, workload.OpenLoad(10, time.Minute, workload.Fixed), w)
	w, err = WorkloadLoad(spec.Load{Kind: "closed", Instances: 5})
	require.NoError(t, err)
	require.Equal(t, workload.ClosedLoad(5), w)
	_, err = WorkloadLoad(spec.Load{Kind: "closed"})
	require.ErrorContains(t, err, "spec.load: load field instances = 0")
}
