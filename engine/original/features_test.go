package original

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

func waiter(ctx *durable.OrchestrationContext) (any, error) {
	var s string
	err := ctx.WaitForExternalEvent("go").Await(&s)
	return s, err
}

// An event raised before the instance starts arrives before the history
// that expects it: it is put back with a delay until the start is written.
func TestEarlyMessageIsPutBack(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Waiter", waiter))
	c := newCluster(t, clusterOpts{seed: 2, nodes: 1, reg: reg})
	payload, _ := durable.Marshal("early")
	c.call(t0+100*ms, durable.ClientRequest{Kind: durable.RequestRaise, Instance: "w1", Name: "go", Payload: payload})
	c.start(t0+3*port.Second, "w1", "Waiter", nil)
	wait := c.wait(t0+3*port.Second, "w1")
	c.runUntilAnswered(60*port.Second, wait)
	st := c.status(wait)
	require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
	require.JSONEq(t, `"early"`, string(st.Output))
	require.Positive(t, c.worker(0).Stats().PutBacks)
	require.Positive(t, c.meter.Snapshot().Kind("queue-update").Requests)
}

func echo(ctx *durable.OrchestrationContext) (any, error) {
	var s string
	if err := ctx.GetInput(&s); err != nil {
		return nil, err
	}
	var out string
	err := ctx.CallActivity("Echo", s).Await(&out)
	return out, err
}

// Payloads over the queue's 64 KiB and the table's 64 KiB property limits
// go through blobs: the input, the work item, the reply, the history rows
// and the Instances row.
func TestLargePayloadsGoThroughBlobs(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Big", echo))
	require.NoError(t, reg.AddActivity("Echo", func(ctx durable.ActivityContext) (any, error) {
		var s string
		err := ctx.GetInput(&s)
		return s + "!", err
	}))
	c := newCluster(t, clusterOpts{seed: 3, nodes: 2, reg: reg})
	big := strings.Repeat("x", 200<<10)
	c.start(t0, "big1", "Big", big)
	wait := c.wait(t0+10*ms, "big1")
	c.runUntilAnswered(60*port.Second, wait)
	st := c.status(wait)
	require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
	var out string
	require.NoError(t, durable.Unmarshal(st.Output, &out))
	require.Equal(t, big+"!", out)
	snap := c.meter.Snapshot()
	require.Positive(t, snap.Kind("blob-put").Requests)
	require.Positive(t, snap.Kind("blob-get").Requests)
}

// Status, terminate and purge through the client core.
func TestTerminateStatusPurge(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Waiter", waiter))
	c := newCluster(t, clusterOpts{seed: 4, nodes: 1, reg: reg})
	c.start(t0, "w2", "Waiter", nil)
	status := c.call(t0+2*port.Second, durable.ClientRequest{Kind: durable.RequestStatus, Instance: "w2"})
	reason, _ := durable.Marshal("enough")
	c.call(t0+3*port.Second, durable.ClientRequest{Kind: durable.RequestTerminate, Instance: "w2", Payload: reason})
	wait := c.wait(t0+3*port.Second, "w2")
	c.runUntilAnswered(60*port.Second, status, wait)
	require.Equal(t, durable.StatusRunning, c.status(status).Status)
	require.Equal(t, durable.StatusTerminated, c.status(wait).Status)

	purge := c.call(c.k.Now(), durable.ClientRequest{Kind: durable.RequestPurge, Instance: "w2"})
	c.runUntilAnswered(10*port.Second, purge)
	require.NoError(t, c.resps[purge].Err)
	after := c.call(c.k.Now(), durable.ClientRequest{Kind: durable.RequestStatus, Instance: "w2"})
	c.runUntilAnswered(10*port.Second, after)
	require.False(t, c.resps[after].Resp.(durable.ClientResponse).Found)
	page, err := c.store.Query(context.Background(), "hubHistory", port.TableQuery{PartitionKey: "w2", PageSize: 10})
	require.NoError(t, err)
	require.Empty(t, page.Entities)
}

func TestKnobValidation(t *testing.T) {
	ok := Defaults("hub", "w0")
	require.NoError(t, ok.Validate())
	cases := []struct {
		field string
		mut   func(*Config)
	}{
		{"Hub", func(c *Config) { c.Hub = "Bad-Hub" }},
		{"WorkerID", func(c *Config) { c.WorkerID = "" }},
		{"ControlQueues", func(c *Config) { c.ControlQueues = 0 }},
		{"Nodes", func(c *Config) { c.Nodes = 0 }},
		{"BatchSize", func(c *Config) { c.BatchSize = 33 }},
		{"ControlVisibility", func(c *Config) { c.ControlVisibility = port.Millisecond }},
		{"MaxActivities", func(c *Config) { c.MaxActivities = 0 }},
		{"WorkItemBatch", func(c *Config) { c.WorkItemBatch = 0 }},
		{"MaxSessions", func(c *Config) { c.MaxSessions = 0 }},
		{"BufferThreshold", func(c *Config) { c.BufferThreshold = 0 }},
		{"LeaseInterval", func(c *Config) { c.LeaseInterval = 5 * port.Second }},
		{"LeaseRenewal", func(c *Config) { c.LeaseRenewal = 20 * port.Second }},
		{"PollMin", func(c *Config) { c.PollMin = 0 }},
		{"PollMax", func(c *Config) { c.PollMax = 90 * port.Second }},
		{"RetryDelay", func(c *Config) { c.RetryDelay = 0 }},
		{"MaxEarlyDequeues", func(c *Config) { c.MaxEarlyDequeues = 0 }},
		{"Planted", func(c *Config) { c.Planted = "typo" }},
	}
	for _, tc := range cases {
		c := ok
		tc.mut(&c)
		err := c.Validate()
		require.Error(t, err, tc.field)
		require.Contains(t, err.Error(), "Config."+tc.field)
		require.Contains(t, err.Error(), "allowed")
		_, err = NewWorker(c, durable.NewRegistry())
		require.Error(t, err)
	}
	_, err := NewWorker(ok, nil)
	require.Error(t, err)
	for _, b := range PlantedBugs {
		c := ok
		c.Planted = b
		require.NoError(t, c.Validate())
	}
	cc := ClientDefaults("hub", 4)
	require.NoError(t, cc.Validate())
	cc.ControlQueues = 0
	require.ErrorContains(t, cc.Validate(), "ClientConfig.ControlQueues")
}

func TestBackoffIsRandomizedExponentialAndSeeded(t *testing.T) {
	r1, r2 := backoff.NewRand(5), backoff.NewRand(5)
	b1, b2 := newBackoff(50*ms, 30*port.Second), newBackoff(50*ms, 30*port.Second)
	bound := 50 * ms
	for i := 0; i < 15; i++ {
		d := b1.miss(&r1)
		require.Equal(t, d, b2.miss(&r2), "same seed, same delays")
		require.GreaterOrEqual(t, d, bound/2)
		require.LessOrEqual(t, d, bound)
		bound = min(2*bound, 30*port.Second)
	}
	b1.hit()
	require.LessOrEqual(t, b1.miss(&r1), 50*ms)
}

func TestEnvelopeRoundTrip(t *testing.T) {
	e := envelope{To: "@Counter@a", Sender: "o#1", Seq: 3<<20 | 2, Prev: 7, LockPrev: 9, LockPrevSender: "@A@b", Exec: 2, Index: 4,
		Event: durable.Event{Kind: durable.EntityCallRequested, Instance: "o", Name: "add", Payload: []byte("1"), Request: "o#4"}}
	got, blob, err := decodeMessage(encodeEnvelope(&e))
	require.NoError(t, err)
	require.Empty(t, blob)
	require.Equal(t, e, got)
	_, blob, err = decodeMessage(encodeBlobRef("hub-payloads/x"))
	require.NoError(t, err)
	require.Equal(t, "hub-payloads/x", blob)
	_, _, err = decodeMessage([]byte{'M', formatV1, 200})
	require.ErrorIs(t, err, errBadMessage)
	_, _, err = decodeMessage([]byte{'M', 1, 0}) // an older layout
	require.ErrorIs(t, err, errBadMessage)
}

func TestDedupSet(t *testing.T) {
	d := dedupSet{}
	require.True(t, d.accept("", 0))
	require.True(t, d.accept("", 0), "client messages are not deduplicated")
	require.True(t, d.accept("o#1", 7))
	require.True(t, d.accept("o#1", 3), "any order")
	require.False(t, d.accept("o#1", 7))
	c := d.clone()
	require.True(t, d.accept("o#1", 4))
	require.True(t, c.accept("o#1", 4), "a clone is independent")
	for i := uint64(100); i < 100+dedupPerSender; i++ {
		require.True(t, d.accept("o#1", i))
	}
	require.True(t, d.accept("o#1", 7), "remembered only so far back")
	for i := 0; i < dedupSenders; i++ {
		require.True(t, d.accept(fmt.Sprintf("s%03d", i), 1))
	}
	require.Len(t, d, dedupSenders)
	_, kept := d["o#1"]
	require.False(t, kept, "the least recently heard sender is forgotten")
	back, err := decodeDedup(encodeDedup(d))
	require.NoError(t, err)
	require.Equal(t, d, back)
}

func twoEvents(ctx *durable.OrchestrationContext) (any, error) {
	var a, b string
	if err := ctx.WaitForExternalEvent("go").Await(&a); err != nil {
		return nil, err
	}
	err := ctx.WaitForExternalEvent("go").Await(&b)
	return []string{a, b}, err
}

// An event resent by a redone step of another orchestration (same sender
// and sequence number) is applied once; the sentinel row remembers it.
func TestDuplicateEventsFromOrchestrationsAreDropped(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Two", twoEvents))
	c := newCluster(t, clusterOpts{seed: 8, nodes: 1, reg: reg})
	c.start(t0, "two", "Two", nil)
	wait := c.wait(t0+10*ms, "two")
	c.d.RunUntil(t0 + port.Second)
	q := newNames("hub", 4)
	inject := func(seq uint64, payload string) {
		env := envelope{To: "two", Sender: "sender#1", Seq: seq,
			Event: durable.Event{Kind: durable.EventRaised, Name: "go", Payload: []byte(payload)}}
		_, err := c.store.Enqueue(context.Background(), q.control[q.controlFor("two")], encodeEnvelope(&env), 0)
		require.NoError(t, err)
	}
	inject(3, `"first"`)
	c.d.RunUntil(t0 + 2*port.Second)
	inject(3, `"first"`)
	c.d.RunUntil(t0 + 3*port.Second)
	inject(1, `"second"`)
	c.runUntilAnswered(60*port.Second, wait)
	st := c.status(wait)
	require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
	require.JSONEq(t, `["first","second"]`, string(st.Output))
	require.Equal(t, 1, c.worker(0).Stats().Dropped)
}

// A message for an instance that never starts is put back with growing
// delays and discarded after MaxEarlyDequeues.
func TestStrayMessageIsDiscarded(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Waiter", waiter))
	c := newCluster(t, clusterOpts{seed: 10, nodes: 1, reg: reg, config: func(c *Config) { c.MaxEarlyDequeues = 5 }})
	c.call(t0+100*ms, durable.ClientRequest{Kind: durable.RequestRaise, Instance: "nobody", Name: "go"})
	c.d.RunUntil(t0 + 300*port.Second)
	st := c.worker(0).Stats()
	require.Equal(t, 1, st.Discarded)
	require.Equal(t, 5, st.PutBacks)
	n, err := c.store.Length(context.Background(), newNames("hub", 4).control[durable.Partition("nobody", 4)])
	require.NoError(t, err)
	require.Zero(t, n)
}

// planBatch: a first start moves ahead of messages that came before it in
// the batch; a restart drops stale responses but keeps events.
func TestPlanBatchStartsFirst(t *testing.T) {
	w, err := NewWorker(Defaults("hub", "w0"), durable.NewRegistry())
	require.NoError(t, err)
	msg := func(k durable.EventKind, exec uint32) received {
		return received{env: envelope{To: "i", Exec: exec, Event: durable.Event{Kind: k, ID: 0}}, msg: port.Message{DequeueCount: 1}}
	}
	kinds := func(evs []durable.Event) []durable.EventKind {
		var out []durable.EventKind
		for _, e := range evs {
			out = append(out, e.Kind)
		}
		return out
	}
	h := history{dedup: dedupSet{}}
	p := w.planBatch(&h, []received{msg(durable.EventRaised, 0), msg(durable.ExecutionStarted, 0)})
	require.Equal(t, []durable.EventKind{durable.ExecutionStarted, durable.EventRaised}, kinds(p.events))
	require.Equal(t, uint32(1), p.newExec)

	old := history{exec: 1, dedup: dedupSet{}, events: []durable.Event{{Kind: durable.ExecutionStarted},
		{Kind: durable.TaskScheduled, ID: 0}, {Kind: durable.ExecutionCompleted, Status: durable.StatusContinuedAsNew}}}
	p = w.planBatch(&old, []received{msg(durable.TaskCompleted, 1), msg(durable.EventRaised, 0), msg(durable.ExecutionStarted, 2)})
	require.Equal(t, []durable.EventKind{durable.ExecutionStarted, durable.EventRaised}, kinds(p.events))
	require.Equal(t, uint32(2), p.newExec)
	require.Len(t, p.used, 3, "the stale completion is consumed too")
}

// Starting a running instance fails; starting a finished one runs a new
// execution with the new input.
func TestStartExistingInstance(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddOrchestrator("Big", echo))
	require.NoError(t, reg.AddActivity("Echo", func(ctx durable.ActivityContext) (any, error) {
		var s string
		err := ctx.GetInput(&s)
		return s + "!", err
	}))
	for _, ext := range []bool{false, true} {
		c := newCluster(t, clusterOpts{seed: 11, nodes: 1, reg: reg, config: func(c *Config) { c.ExtendedSessions = ext }})
		c.start(t0, "e1", "Big", "one")
		again := c.start(t0+30*ms, "e1", "Big", "two")
		first := c.wait(t0+10*ms, "e1")
		c.runUntilAnswered(60*port.Second, again, first)
		require.ErrorContains(t, c.resps[again].Err, "instance exists")
		require.JSONEq(t, `"one!"`, string(c.status(first).Output))

		restart := c.start(c.k.Now(), "e1", "Big", "three")
		c.runUntilAnswered(10*port.Second, restart)
		require.NoError(t, c.resps[restart].Err)
		second := c.wait(c.k.Now()+10*ms, "e1")
		c.runUntilAnswered(60*port.Second, second)
		st := c.status(second)
		require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
		require.JSONEq(t, `"three!"`, string(st.Output))
		require.JSONEq(t, `"three"`, string(st.Input))
	}
}
