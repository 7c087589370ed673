package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// Found by the fault campaign (seed 951): a Netherite client whose append
// failed ambiguously (it landed) merged the failed record's requests with
// newer ones into one retry record, whose position was the newest's; the
// partition, having seen only the first record's position, applied the
// old requests again, so a WordCount mapper signalled once ran twice.
func TestNetheriteClientRetryAppliesEachRequestOnce(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "wordcount", `{"mappers":3,"reducers":2,"bookWords":40}`, 5, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"speculation": "none"})
	s.Faults = "storage error-after p=0.2 op=stream-* 2ms..3765ms"
	out, err := RunWith(context.Background(), s, 951, Options{})
	require.NoError(t, err)
	require.Positive(t, out.Faults.Total("error-after"))
}

// campaignLike are the phases the fault campaign runs a case with (as
// campaign.Case.options sets them for the original engine).
var campaignLike = Options{HealAt: 4 * port.Second, HealBudget: 10 * 60 * port.Second, Settle: 6 * 60 * port.Second}

// Found by the fault campaign (seed 310): a client's signal to an entity
// carried no sender, so when the entity's step had written its state but
// its node crashed before the message was deleted, the message came back
// and the entity applied it again (a WordCount mapper ran twice); the same
// held for a signal the client enqueued again after an ambiguous error.
// Client messages now carry the client life's sender name and a sequence
// number, and entities drop the copy.
func TestOriginalClientSignalAppliedOnceAcrossCrash(t *testing.T) {
	s := resolved(t, spec.EngineOriginal, "wordcount", `{"mappers":2,"reducers":2,"bookWords":51}`, 5, 3)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"controlQueues": "5", "extendedSessions": "true"})
	s.Cluster.Cores = 1
	s.Faults = "storage error p=0.01 op=table-batch 47ms..53ms\nat 26ms crash node0\nat 38ms restart node0"
	opts := campaignLike
	_, err := RunWith(context.Background(), s, 310, opts)
	require.NoError(t, err)

	s.Faults = "storage error-after p=0.5 op=queue-enqueue 0s..50ms"
	out, err := RunWith(context.Background(), s, 310, opts)
	require.NoError(t, err)
	require.Positive(t, out.Faults.Total("error-after"))
}

// Found by the fault campaign (seeds 801 and 857): an entity step enqueues
// its messages concurrently; when some failed (here throttled) the step was
// retried and resent them after later ones had landed, so a WordCount
// reducer got a mapper's done signal before some of its counts and reported
// a short top list. An entity now numbers its messages to each entity
// (envelope.Index) and the receiver applies them in send order.
func TestOriginalEntitySignalsApplyInSendOrder(t *testing.T) {
	s := resolved(t, spec.EngineOriginal, "wordcount", `{"mappers":3,"reducers":3,"bookWords":30}`, 6, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"controlQueues": "5"})
	s.Cluster.Cores = 1
	s.Faults = "at 141ms crash node0\nat 158ms restart node0\nat 197ms crash node0\nthrottle op=queue-enqueue p=0.05 20ms..129ms"
	opts := campaignLike
	out, err := RunWith(context.Background(), s, 801, opts)
	require.NoError(t, err)
	require.Positive(t, out.Faults.Total("throttle"))
}

// Found by the fault campaign (seed 132): an entity remembered the last 64
// message numbers per sender, so when a WordCount mapper's step, which
// signals a reducer once per word, was retried, the reducer applied the
// signals it had forgotten again. Messages between entities are now
// numbered per sender and receiver, and the receiver drops any index it
// has passed.
func TestOriginalEntityDropsOldDuplicates(t *testing.T) {
	s := resolved(t, spec.EngineOriginal, "wordcount", `{"mappers":3,"reducers":1,"bookWords":300}`, 3, 3)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Faults = "storage error-after p=0.05 op=queue-enqueue 0ms..1000ms\nat 30ms crash node1\nat 60ms restart node1"
	opts := campaignLike
	out, err := RunWith(context.Background(), s, 1, opts)
	require.NoError(t, err)
	require.Positive(t, out.Faults.Total("error-after"))
}
