package harness

import (
	"fmt"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/workloads/workload"
)

// WorkloadLoad converts a resolved spec's load to the workload package's
// Load, which a runner hands to workload.Generate, and validates it there
// too so the two packages cannot disagree silently.
func WorkloadLoad(l spec.Load) (workload.Load, error) {
	w := workload.Load{Kind: workload.LoadKind(l.Kind), Instances: l.Instances,
		RatePerSec: l.RatePerSec, Duration: l.Duration.D(), Spacing: workload.Spacing(l.Spacing)}
	if err := w.Validate(); err != nil {
		return workload.Load{}, fmt.Errorf("%s.load: %w", spec.Root, err)
	}
	return w, nil
}
