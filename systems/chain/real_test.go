package chain_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/internal/azurite"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	chainsys "github.com/dflab/dflab/systems/chain"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/workload"
)

// The queue and blob chains run the Sequence workload for real (the real
// driver, wall clock) and pass its oracle on mem (the disk backend has no
// queues, which both need: the blob trigger's internal queue too); disk is
// refused naming the storages allowed. The blob
// chain's scan runs every 200 ms here, not 10 s, to keep the test short.
func TestTriggerChainsRealRuns(t *testing.T) {
	for _, c := range []struct {
		sys     *systems.System
		storage string
	}{{chainsys.QueueChain, "mem"}, {chainsys.BlobChain, "mem"}} {
		t.Run(c.sys.Name+"/"+c.storage, func(t *testing.T) {
			realRun(t, dflab.Options{System: c.sys, Storage: c.storage}, 4)
		})
	}
}

// The same on Azure Storage (Azurite): queues and blobs over HTTP.
func TestTriggerChainsOnAzurite(t *testing.T) {
	conn := azurite.Start(t)
	for i, sys := range []*systems.System{chainsys.QueueChain, chainsys.BlobChain} {
		t.Run(sys.Name, func(t *testing.T) {
			realRun(t, dflab.Options{System: sys, Storage: "azure", ConnectionString: conn, Namespace: fmt.Sprintf("ch%d", i)}, 3)
		})
	}
}

func TestTriggerChainsRefuseDisk(t *testing.T) {
	_, err := chainsys.BlobChain.Real(systems.RealConfig{Storage: "disk", Hub: "ch"})
	require.EqualError(t, err, `storage "disk": blobchain needs queues and blobs; allowed [mem azure]`)
}

func realRun(t *testing.T, o dflab.Options, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w, err := workloads.New("sequence", []byte(`{"length":5}`))
	require.NoError(t, err)
	reg := durable.NewRegistry()
	require.NoError(t, w.Register(reg))
	o.Hub = "ch"
	if o.System == chainsys.BlobChain {
		o.Knobs = map[string]string{chainsys.KnobScanInterval: "200ms"}
	}
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
