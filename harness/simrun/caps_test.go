package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// Netherite's Event Hubs namespace is a resource of the run: with
// eventHubs.throughputUnits it is a cap every stream append passes (and
// one TU is never faster than unlimited: its token bucket of a second's
// budget, netherite.EventHubsBurstSec, lets this run's bursts through, so
// it binds only where the mean rate passes 1,000 events/s); with -1 there
// is none.
func TestEventHubsThroughputUnitsAreACap(t *testing.T) {
	run := func(tus string) metrics.Set {
		s := resolved(t, "netherite", "wordcount", `{"mappers":4,"reducers":4,"bookWords":1000}`, 1, 2)
		s.Engine = s.Engine.With(systems.Values{"eventHubs.throughputUnits": tus})
		s, err := s.Resolve()
		require.NoError(t, err)
		m, err := Run(context.Background(), s, 1, nil)
		require.NoError(t, err)
		return m
	}
	capped, free := run("1"), run("-1")
	var names []string
	for _, r := range capped.Resources {
		names = append(names, r.String())
	}
	require.Contains(t, names, "cap event-hubs-ingress")
	for _, r := range capped.Resources {
		if r.Name == "event-hubs-ingress" {
			require.Greater(t, r.Utilisation, 0.0)
		}
	}
	for _, r := range free.Resources {
		require.NotEqual(t, "event-hubs-ingress", r.Name)
	}
	require.LessOrEqual(t, capped.ThroughputPerSec, free.ThroughputPerSec)
}

// load.latencyEnd "status" ends an instance's latency at the engine's own
// record of its last update, never after the client's answer: for the
// original engine, whose client waits by polling the Instances row with
// back-off, it is shorter than the answer's time.
func TestLatencyEndStatus(t *testing.T) {
	run := func(end string) metrics.Set {
		s := resolved(t, "original", "hello3", "", 1, 2)
		s.Load = spec.Load{Kind: spec.LoadOpen, RatePerSec: 5, Duration: spec.Duration(4 * port.Second), Spacing: "fixed", LatencyEnd: end}
		s, err := s.Resolve()
		require.NoError(t, err)
		m, err := Run(context.Background(), s, 1, nil)
		require.NoError(t, err)
		return m
	}
	answer, status := run(""), run(spec.LatencyEndStatus)
	require.Equal(t, answer.Completed, status.Completed)
	require.Less(t, status.Latency.P50Ms, answer.Latency.P50Ms)
	require.Greater(t, status.Latency.P50Ms, 0.0)
	s := resolved(t, "original", "hello3", "", 1, 2)
	s.Load.LatencyEnd = "later"
	require.ErrorContains(t, s.Validate(), "latencyEnd")
}
