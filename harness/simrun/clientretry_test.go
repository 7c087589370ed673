package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
)

// Found by the fault campaign (seed 951): a Netherite client whose append
// failed ambiguously (it landed) merged the failed record's requests with
// newer ones into one retry record, whose position was the newest's; the
// partition, having seen only the first record's position, applied the
// old requests again, so a WordCount mapper signalled once ran twice.
func TestNetheriteClientRetryAppliesEachRequestOnce(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "wordcount", `{"mappers":3,"reducers":2,"bookWords":40}`, 5, 2)
	s.Engine.Netherite.Speculation = "none"
	s.Faults = "storage error-after p=0.2 op=stream-* 2ms..3765ms"
	out, err := RunWith(context.Background(), s, 951, Options{})
	require.NoError(t, err)
	require.Positive(t, out.Faults.Total("error-after"))
}
