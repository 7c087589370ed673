package workflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/internal/azurite"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	wfsys "github.com/dflab/dflab/systems/workflow"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/workload"
)

// The workloads' oracles pass on the workflow service for real (the real
// driver, wall clock) on mem and disk storage; a second start of a name
// is answered with the same execution, not a second one.
func TestWorkflowServiceRealRuns(t *testing.T) {
	for _, storage := range []string{"mem", "disk"} {
		for _, c := range []struct{ wl, params string }{
			{"hello3", ""}, {"sequence", `{"length":10}`}, {"imagerec", `{"formats":["jpeg","png","gif"],"rekognitionFailFraction":0.5}`},
		} {
			t.Run(storage+"/"+c.wl, func(t *testing.T) {
				realRun(t, dflab.Options{Storage: storage}, c.wl, c.params, 6)
			})
		}
	}
}

// The same on Azure Storage (Azurite): blobs and append blobs over HTTP.
func TestWorkflowServiceOnAzurite(t *testing.T) {
	conn := azurite.Start(t)
	for i, c := range []struct{ wl, params string }{
		{"hello3", ""}, {"imagerec", `{"formats":["jpeg","png","gif"],"rekognitionFailFraction":0.5}`},
	} {
		t.Run(c.wl, func(t *testing.T) {
			realRun(t, dflab.Options{Storage: "azure", ConnectionString: conn, Namespace: fmt.Sprintf("wf%d", i)}, c.wl, c.params, 4)
		})
	}
}

// The workflow service's part of the parity table for real, on mem and
// disk storage (the simulator runs it in internal/scenarios).
func TestWorkflowParityForReal(t *testing.T) {
	for _, storage := range []string{"mem", "disk"} {
		for _, sc := range scenarios.WorkflowParity() {
			t.Run(storage+"/"+sc.Name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				reg := durable.NewRegistry()
				require.NoError(t, sc.Setup(reg))
				o := dflab.Options{System: wfsys.System, Storage: storage, Hub: "wf"}
				if storage == "disk" {
					o.Dir = t.TempDir()
				}
				e, err := dflab.Start(ctx, reg, o)
				require.NoError(t, err)
				res, err := scenarios.RunReal(ctx, e, sc)
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				require.NoError(t, e.Stop())
			})
		}
	}
}

func realRun(t *testing.T, o dflab.Options, wl, params string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w, err := workloads.New(wl, []byte(params))
	require.NoError(t, err)
	reg := durable.NewRegistry()
	require.NoError(t, w.Register(reg))
	o.System, o.Hub = wfsys.System, "wf"
	if o.Storage == "disk" {
		o.Dir = t.TempDir()
	}
	e, err := dflab.Start(ctx, reg, o)
	require.NoError(t, err)
	defer e.Stop()
	run := workload.Run{Orchestrations: map[string]workload.Outcome{}}
	src := rng.New(11)
	for i := 0; i < n; i++ {
		reqs, err := w.Instance(i, src.Fork(fmt.Sprintf("instance/%d", i)))
		require.NoError(t, err)
		for _, req := range reqs {
			run.Arrivals = append(run.Arrivals, workload.Arrival{Instance: i, Req: req})
			resp, err := e.Do(ctx, req)
			require.NoError(t, err)
			require.True(t, resp.Found)
			again, err := e.Do(ctx, req)
			require.NoError(t, err, "a second start of %s", req.Instance)
			require.Equal(t, resp.Status.Created, again.Status.Created)
		}
	}
	for _, a := range run.Arrivals {
		resp, err := e.Do(ctx, durable.ClientRequest{Kind: durable.RequestWait, Instance: a.Req.Instance})
		require.NoError(t, err)
		run.Orchestrations[a.Req.Instance] = workload.Outcome{Status: resp.Status.Status, Output: resp.Status.Output, Failure: resp.Status.Failure}
	}
	require.NoError(t, w.Check(run))
	require.Empty(t, e.Violations())
	require.Positive(t, e.Traffic().Total().Requests)
}

// Bad requests get errors naming what is wrong: a name started again
// with another input, an unknown state machine, an unsupported request.
func TestWorkflowServiceRejectsBadRequests(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := workloads.New("hello3", nil)
	require.NoError(t, err)
	reg := durable.NewRegistry()
	require.NoError(t, w.Register(reg))
	e, err := dflab.Start(ctx, reg, dflab.Options{System: wfsys.System, Storage: "mem", Hub: "wf"})
	require.NoError(t, err)
	defer e.Stop()
	start := durable.ClientRequest{Kind: durable.RequestStart, Instance: "x", Name: "Hello3"}
	_, err = e.Do(ctx, start)
	require.NoError(t, err)
	start.Payload = []byte(`{"other":1}`)
	_, err = e.Do(ctx, start)
	require.ErrorContains(t, err, "ExecutionAlreadyExists: execution x exists with another state machine or input")
	_, err = e.Do(ctx, durable.ClientRequest{Kind: durable.RequestStart, Instance: "y", Name: "Bank"})
	require.ErrorContains(t, err, `no state machine "Bank" (registered: Hello3, Hello5, ImageRecognition, Sequence)`)
	_, err = e.Do(ctx, durable.ClientRequest{Kind: durable.RequestRaise, Instance: "x", Name: "e"})
	require.ErrorContains(t, err, "raise requests are not supported by the workflow service")
	_, err = e.Do(ctx, durable.ClientRequest{Kind: durable.RequestPurge, Instance: "x"})
	require.ErrorContains(t, err, "purge requests are not supported by the workflow service (allowed start, status, wait, query)")
	resp, err := e.Do(ctx, durable.ClientRequest{Kind: durable.RequestStatus, Instance: "nope"})
	require.NoError(t, err)
	require.False(t, resp.Found)
	resp, err = e.Do(ctx, durable.ClientRequest{Kind: durable.RequestWait, Instance: "x"})
	require.NoError(t, err)
	require.Equal(t, durable.StatusCompleted, resp.Status.Status)
	require.JSONEq(t, `["Hello Tokyo!","Hello Seattle!","Hello London!"]`, string(resp.Status.Output))
}

func TestKnobsAndStorage(t *testing.T) {
	_, err := wfsys.System.Sim(systems.SimConfig{Knobs: systems.Values{wfsys.KnobTransitionRefill: "0"}})
	require.ErrorContains(t, err, "knob quota.transitionRefill of system workflow: 0 is out of range; allowed 1..1073741824")
	_, err = wfsys.System.Real(systems.RealConfig{Storage: "nats"})
	require.ErrorContains(t, err, `storage "nats": the workflow service records executions in blobs; allowed mem, disk, azure`)
	defs, err := wfsys.Definitions()
	require.NoError(t, err)
	require.Len(t, defs, 4)
}
