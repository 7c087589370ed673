package original

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
)

// suiteEngine deploys the original engine for internal/scenarios: one
// worker per node, the client core on a node of its own.
type suiteEngine struct {
	controlQueues int
	extended      bool
	visibility    port.Time // 0: default
	poll          port.Time // PollMin and PollMax (0: defaults)
	workers       []sim.CoreID
}

func (e *suiteEngine) Name() string {
	return fmt.Sprintf("original-C%d-ext=%v", e.controlQueues, e.extended)
}

func (e *suiteEngine) StreamPartitions() int { return 0 }

func (e *suiteEngine) Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error) {
	e.workers = e.workers[:0]
	for i, n := range nodes {
		cfg := Defaults("hub", fmt.Sprintf("worker%d", i))
		cfg.ControlQueues, cfg.Nodes, cfg.ExtendedSessions, cfg.Seed = e.controlQueues, len(nodes), e.extended, uint64(i)
		if e.visibility != 0 {
			cfg.ControlVisibility, cfg.WorkItemVisibility = e.visibility, e.visibility
		}
		if e.poll != 0 {
			cfg.PollMin, cfg.PollMax = e.poll, e.poll
		}
		if _, err := NewWorker(cfg, reg); err != nil {
			return 0, err
		}
		e.workers = append(e.workers, d.AddCore(n, "worker", func() port.Core {
			w, _ := NewWorker(cfg, reg)
			return w
		}))
	}
	ccfg := ClientDefaults("hub", e.controlQueues)
	if _, err := NewClient(ccfg); err != nil {
		return 0, err
	}
	cn := d.AddNode("client", 1)
	return d.AddCore(cn, "client", func() port.Core {
		c, _ := NewClient(ccfg)
		return c
	}), nil
}

func TestScenarioSuite(t *testing.T) {
	for _, ext := range []bool{false, true} {
		for _, sc := range scenarios.Suite() {
			t.Run(fmt.Sprintf("ext=%v/%s", ext, sc.Name), func(t *testing.T) {
				e := &suiteEngine{controlQueues: 4, extended: ext}
				res, err := scenarios.Run(e, sc, scenarios.Options{Seed: 7})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				require.Empty(t, res.Violations)
				t.Logf("%s: done at %v virtual, %d events, %d storage requests", sc.Name, res.End, res.Events, res.Stats.Requests)
			})
		}
	}
}

func TestScenarioSameSeedSameTrace(t *testing.T) {
	sc := scenarios.Bank(4)
	run := func(seed uint64) uint64 {
		res, err := scenarios.Run(&suiteEngine{controlQueues: 4}, sc, scenarios.Options{Seed: seed})
		require.NoError(t, err)
		require.NoError(t, res.Check(sc))
		return res.TraceHash
	}
	a, b := run(11), run(11)
	require.Equal(t, a, b, "same seed, same trace hash")
	require.NotEqual(t, a, run(12), "another seed, another trace")
}

// TestEnqueueWakesTheWorkersOwnPoller: with every empty poll backing off
// 5 s, Hello5 on one node waits out no back-off for its ten hops after
// the start: each activity work item and each result is enqueued by the
// worker itself, which wakes its poller of that queue as the provider's
// queue does. Without the wake each hop would wait about 5 s.
func TestEnqueueWakesTheWorkersOwnPoller(t *testing.T) {
	sc := scenarios.Hello5(1)
	res, err := scenarios.Run(&suiteEngine{controlQueues: 1, poll: 5 * port.Second}, sc, scenarios.Options{Seed: 1, Nodes: 1})
	require.NoError(t, err)
	require.NoError(t, res.Check(sc))
	require.Less(t, res.End, port.Second)
}
