package spec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/workloads/workload"
)

func TestLoadConvertsToTheWorkloadLoad(t *testing.T) {
	w, err := Load{Kind: "open", RatePerSec: 10, Duration: Duration(time.Minute), Spacing: "fixed"}.Workload()
	require.NoError(t, err)
	require.Equal(t, workload.OpenLoad(10, time.Minute, workload.Fixed), w)
	w, err = Load{Kind: "closed", Instances: 5}.Workload()
	require.NoError(t, err)
	require.Equal(t, workload.ClosedLoad(5), w)
	_, err = Load{Kind: "closed"}.Workload()
	require.ErrorContains(t, err, "spec.load: load field instances = 0")
}
