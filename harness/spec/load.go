package spec

import (
	"fmt"

	"github.com/dflab/dflab/workloads/workload"
)

// Workload converts the load to the workload package's Load, which runners
// hand to workload.Generate, and validates it there too so the two
// packages cannot disagree silently.
func (l Load) Workload() (workload.Load, error) {
	w := workload.Load{Kind: workload.LoadKind(l.Kind), Instances: l.Instances,
		RatePerSec: l.RatePerSec, Duration: l.Duration.D(), Spacing: workload.Spacing(l.Spacing)}
	if err := w.Validate(); err != nil {
		return workload.Load{}, fmt.Errorf("%s.load: %w", Root, err)
	}
	return w, nil
}
