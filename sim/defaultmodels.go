package sim

import "github.com/dflab/dflab/sim/rng"

// DefaultModels is a small, plausible model set, never calibrated: the
// scenario suite's and the default of spec.backend.models: page writes
// and stream appends of a few ms, sub-ms CPU per step, remote network of
// about half a millisecond.
func DefaultModels() *ModelSet {
	return &ModelSet{
		Name: "scenarios",
		Ops: map[string]OpModel{
			"page-write":    {BaseMs: rng.MustParse("lognormal(mu=1.6,sigma=0.3)"), NsPerByte: 2},
			"stream-append": {BaseMs: rng.MustParse("lognormal(mu=1,sigma=0.3)")},
			"stream-read":   {BaseMs: rng.MustParse("lognormal(mu=0.5,sigma=0.3)")},
			"blob-put":      {BaseMs: rng.MustParse("lognormal(mu=2,sigma=0.3)"), NsPerByte: 2},
		},
		DefaultOp: OpModel{BaseMs: rng.MustParse("uniform(lo=1,hi=3)")},
		CPU: CPUModel{CostsMs: map[string]rng.Dist{
			"input:*":                 rng.Const(0.01),
			"work:orchestration-step": rng.MustParse("normal(mean=0.3,sd=0.05)"),
			"work:entity-op":          rng.Const(0.05),
			"work:entity-batch":       rng.Const(0), // counted for the host model; its cost is in entity-op
			"work:*":                  rng.Const(0.02),
			"activity:*":              rng.Const(0.05),
		}},
		Network: NetworkModel{LocalMs: rng.Const(0.02), RemoteMs: rng.MustParse("lognormal(mu=-0.7,sigma=0.2)")},
	}
}
