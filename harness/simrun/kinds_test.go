package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/hello"
	"github.com/dflab/dflab/workloads/workload"
)

// broken is Hello3 whose oracle always finds a violation of one kind, or
// a plain error.
type broken struct {
	*hello.Hello
	err error
}

func (b broken) Name() string                 { return "broken" }
func (b broken) Check(run workload.Run) error { return b.err }

// The checker a failure is filed under is the kind the oracle gave it,
// whatever its text: an outside workload's conservation failure is a
// conservation failure.
func TestOracleViolationsAreFiledByTheirKind(t *testing.T) {
	for err, want := range map[error]string{
		workload.Violationf(workload.Conservation, "more than once, not isolated"): CheckConservation,
		workload.Violationf(workload.DuplicateEffect, "not conserved"):             CheckDuplicateEffect,
		workload.Violationf(workload.LostEffect, "x"):                              CheckLostEffect,
		workload.Violationf(workload.Isolation, "x"):                               CheckIsolation,
		errFake("not conserved"):                                                   CheckWrongOutput,
	} {
		reg := workloads.Builtin()
		require.NoError(t, reg.Register(workloads.Factory{Name: "broken", New: func([]byte) (workload.Workload, error) {
			h, err2 := hello.NewHello(3)
			return broken{Hello: h, err: err}, err2
		}}))
		s := spec.Spec{Engine: spec.Engine{Name: spec.EngineOriginal}, Backend: spec.Backend{Kind: spec.BackendSim},
			Workload: spec.Workload{Name: "broken"}, Load: spec.Load{Kind: spec.LoadClosed, Instances: 2}}
		rs, rerr := s.ResolveIn(spec.Catalog{Workloads: reg})
		require.NoError(t, rerr)
		_, runErr := RunWith(context.Background(), rs, 1, Options{Workloads: reg})
		require.Equal(t, want, Checker(runErr), "%v", runErr)
	}
}

type errFake string

func (e errFake) Error() string { return string(e) }
