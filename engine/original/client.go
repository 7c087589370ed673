package original

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// ClientConfig are the knobs of a Client core.
type ClientConfig struct {
	Hub           string
	ControlQueues int
	Seed          uint64
	// WaitPollMin and WaitPollMax bound the back-off of a wait request
	// polling the Instances row (1ms <= min <= max <= 60s; defaults 50ms, 1s).
	WaitPollMin, WaitPollMax port.Time
	// RetryDelay is the pause before a failed request is retried (1ms..60s,
	// default 100ms): at startup the hub's queues may not exist yet.
	RetryDelay port.Time
}

// ClientDefaults returns the default client knobs.
func ClientDefaults(hub string, controlQueues int) ClientConfig {
	return ClientConfig{Hub: hub, ControlQueues: controlQueues, WaitPollMin: 50 * port.Millisecond,
		WaitPollMax: port.Second, RetryDelay: 100 * port.Millisecond}
}

// Validate checks the client knobs.
func (c ClientConfig) Validate() error {
	if err := validHub(c.Hub); err != nil {
		return err
	}
	switch {
	case c.ControlQueues < 1 || c.ControlQueues > 64:
		return fmt.Errorf("original: ClientConfig.ControlQueues = %d, allowed: 1..64", c.ControlQueues)
	case c.WaitPollMin < port.Millisecond || c.WaitPollMin > c.WaitPollMax:
		return fmt.Errorf("original: ClientConfig.WaitPollMin = %d, allowed: 1ms..WaitPollMax", c.WaitPollMin)
	case c.WaitPollMax > 60*port.Second:
		return fmt.Errorf("original: ClientConfig.WaitPollMax = %d, allowed: WaitPollMin..60s", c.WaitPollMax)
	case c.RetryDelay < port.Millisecond || c.RetryDelay > 60*port.Second:
		return fmt.Errorf("original: ClientConfig.RetryDelay = %d, allowed: 1ms..60s", c.RetryDelay)
	}
	return nil
}

// Client is the original engine's client core: it answers
// port.ClientCall{Req: durable.ClientRequest} with port.Response{Resp:
// durable.ClientResponse} by writing and reading the Instances table and
// enqueueing messages on the control queues.
type Client struct {
	hubIO
	cfg  ClientConfig
	rnd  backoff.Rand
	sent uint64
	// sender names this life of the client as the sender of its messages
	// ("client/<seed>/<start time>"), so that receivers drop a message the
	// client sent again after an ambiguous enqueue error.
	sender string
	// queuedAfter holds, per instance with a start in flight, the calls that
	// came after it: they are taken once the start is answered, so that a
	// wait, status or purge sent after a start sees it, as on Netherite
	// (which applies one client's requests for an instance in order).
	queuedAfter map[string][]port.ClientCall
	// started holds the instances whose start this client acknowledged and
	// whose row it has not read since: a wait for one keeps polling while
	// the row is missing (its Pending row may not have been written, e.g.
	// the table did not exist yet; the first step writes it) instead of
	// answering ErrUnknownInstance.
	started map[string]bool
	// down holds the control queues that failed for good (QueueDown), with
	// why: calls for their instances fail instead of waiting.
	down map[int]string
}

// QueueDown tells a client core (as a port.ClientCall's Req, which it does
// not answer) that control queue Queue failed for good with Reason (its
// port.Health report, e.g. a stored row that does not parse): calls for
// instances on it fail with ErrQueueFailed, later ones at once and waiting
// ones at their next retry or poll, instead of waiting forever.
type QueueDown struct {
	Queue  int
	Reason string
}

// ErrQueueFailed is wrapped by the errors of calls for instances on a
// control queue that failed (see QueueDown).
var ErrQueueFailed = errors.New("control queue failed")

// giveUp returns the error a call for instance ends with now instead of
// retrying after err: corrupt stored data (it does not heal), or the
// instance's control queue failed; nil: retry.
func (c *Client) giveUp(instance string, err error) error {
	q := c.n.controlFor(instance)
	if reason, ok := c.down[q]; ok {
		return fmt.Errorf("original: %w: %s: %s", ErrQueueFailed, ControlUnit(q), reason)
	}
	if errors.Is(err, port.ErrCorrupt) {
		return err
	}
	return nil
}

var _ port.Core = (*Client)(nil)

// NewClient returns a client core.
func NewClient(cfg ClientConfig) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{hubIO: hubIO{Reactor: reactor.New[origStep](reactor.PerKind), n: newNames(cfg.Hub, cfg.ControlQueues)},
		cfg: cfg, rnd: backoff.NewRand(cfg.Seed)}, nil
}

// Step implements port.Core.
func (c *Client) Step(now port.Time, in port.Input) {
	if _, ok := in.(port.Started); ok || c.sender == "" {
		c.sender = fmt.Sprintf("client/%x/%d", c.cfg.Seed, now)
	}
	if c.Dispatch(now, in, c.run) {
		return
	}
	if call, ok := in.(port.ClientCall); ok {
		if d, ok := call.Req.(QueueDown); ok {
			if d.Queue >= 0 && d.Queue < c.cfg.ControlQueues && c.down[d.Queue] == "" {
				if c.down == nil {
					c.down = map[int]string{}
				}
				c.down[d.Queue] = d.Reason
			}
			return
		}
		c.call(call)
	}
}

func (c *Client) call(call port.ClientCall) {
	req, ok := call.Req.(durable.ClientRequest)
	if !ok {
		c.Respond(call.ID, nil, fmt.Errorf("original: client call %d: Req is %T, want durable.ClientRequest", call.ID, call.Req))
		return
	}
	if req.Kind == durable.RequestQuery {
		c.queryInstances(req, answer{call: call.ID})
		return
	}
	if req.Instance == "" {
		c.Respond(call.ID, nil, fmt.Errorf("original: %s request without an instance id", req.Kind))
		return
	}
	if err := req.Reuse.Validate(); err != nil {
		c.Respond(call.ID, nil, fmt.Errorf("original: %w", err))
		return
	}
	if err := durable.CheckPayload(req.Kind.String()+" "+req.Instance+" payload", req.Payload); err != nil {
		c.Respond(call.ID, nil, fmt.Errorf("original: %w", err))
		return
	}
	if err := c.giveUp(req.Instance, nil); err != nil {
		c.Respond(call.ID, nil, err)
		return
	}
	if q, busy := c.queuedAfter[req.Instance]; busy {
		c.queuedAfter[req.Instance] = append(q, call)
		return
	}
	a := answer{call: call.ID}
	switch req.Kind {
	case durable.RequestStart:
		if c.queuedAfter == nil {
			c.queuedAfter = map[string][]port.ClientCall{}
		}
		c.queuedAfter[req.Instance] = nil
		c.start(req, answer{call: call.ID, start: req.Instance})
	case durable.RequestRaise:
		c.message(req.Instance, durable.Event{Kind: durable.EventRaised, Name: req.Name, Payload: req.Payload}, a)
	case durable.RequestSignal:
		c.message(req.Instance, durable.Event{Kind: durable.EntitySignalRequested, Name: req.Name, Payload: req.Payload}, a)
	case durable.RequestTerminate:
		c.message(req.Instance, durable.TerminateEvent(req), a)
	case durable.RequestSuspend, durable.RequestResume:
		c.message(req.Instance, durable.LifecycleEvent(req, int64(c.Now())), a)
	case durable.RequestStatus:
		c.status(req.Instance, a)
	case durable.RequestWait:
		c.wait(req.Instance, newBackoff(c.cfg.WaitPollMin, c.cfg.WaitPollMax), a)
	case durable.RequestPurge:
		c.purge(req.Instance, !req.OnlyThis, purgeTo{a: a})
	default:
		c.answer(a, durable.ClientResponse{}, fmt.Errorf("original: unknown request kind %s", req.Kind))
	}
}

// answer is who a request's answer goes to: the call, and for a start
// the instance whose calls queued after it are taken once it is answered.
type answer struct {
	call  port.CallID
	start string
}

// replyTo is what a message's enqueue hands its outcome to.
type replyTo interface {
	replied(c *Client, resp durable.ClientResponse, err error)
}

func (a answer) replied(c *Client, resp durable.ClientResponse, err error) { c.answer(a, resp, err) }

// answer answers a request; after a start, the calls queued after it are
// taken (up to another start, which the rest waits for).
func (c *Client) answer(a answer, resp durable.ClientResponse, err error) {
	if a.start == "" {
		c.Respond(a.call, resp, err)
		return
	}
	if err == nil {
		if c.started == nil {
			c.started = map[string]bool{}
		}
		c.started[a.start] = true
	}
	c.Respond(a.call, resp, err)
	q := c.queuedAfter[a.start]
	delete(c.queuedAfter, a.start)
	for i, next := range q {
		c.call(next)
		if _, busy := c.queuedAfter[a.start]; busy {
			// another start: the rest waits for it
			c.queuedAfter[a.start] = append(c.queuedAfter[a.start], q[i+1:]...)
			return
		}
	}
}

// start reads the Instances row (an instance that exists and is not
// finished may not be started again; a finished one starts a new
// execution), enqueues ExecutionStarted, then writes the row as Pending.
// This is the provider's order: a crash between the two leaves a message
// that starts the instance (its first step writes the row), where the
// reverse order leaves a Pending row that nothing starts and that blocks
// starting the instance again (found by the SIGKILL test on Azurite).
func (c *Client) start(req durable.ClientRequest, a answer) {
	c.readInstance(req.Instance, startRead{req: req, a: a})
}

// startRead: a start's read of the instance row came back.
type startRead struct {
	req durable.ClientRequest
	a   answer
}

func (k startRead) gotRow(cr core, old instanceRow, found bool, err error) {
	c, req := client(cr), k.req
	if stop := c.giveUp(req.Instance, err); stop != nil {
		c.answer(k.a, durable.ClientResponse{}, stop)
		return
	}
	if err != nil {
		c.After(c.cfg.RetryDelay, startRetry(k))
		return
	}
	running := found && !old.status(req.Instance).Done()
	if running && req.Reuse != durable.ReuseTerminate {
		resp := durable.ClientResponse{Found: true, Status: old.status(req.Instance)}
		if req.Reuse == durable.ReuseIgnore {
			c.answer(k.a, resp, nil)
			return
		}
		resp.Refused = durable.RefusedExists
		c.answer(k.a, resp, resp.Refused.Err(old.Status))
		return
	}
	var exec uint32
	if found {
		exec = old.Exec + 1
	}
	st := startSent{req: req, ev: durable.StartEvent(req), exec: exec, found: found, etag: old.etag, a: k.a}
	if !running {
		st.send(c)
		return
	}
	// ReuseTerminate: the running execution is terminated (a step that
	// takes both messages at once replaces it at once: startFirst).
	c.message(req.Instance, durable.Event{Kind: durable.ExecutionTerminated, Payload: []byte(`"restarted"`)}, restartTerminated(st))
}

// startRetry: RetryDelay has passed since a start's row read failed.
type startRetry startRead

func (k startRetry) Then() reactor.Then {
	return reactor.Then{Step: "start-retry", About: k.req.Instance}
}

func (k startRetry) clientStep(c *Client, _ reactor.Outcome) { c.start(k.req, k.a) }

// startSent: a start's ExecutionStarted (ev, of execution exec) is
// enqueued: write the Pending row (over the row found, as etag).
type startSent struct {
	req   durable.ClientRequest
	ev    durable.Event
	exec  uint32
	found bool
	etag  string
	a     answer
}

func (k startSent) send(c *Client) { c.messageExec(k.req.Instance, k.ev, k.exec, k) }

func (k startSent) replied(c *Client, _ durable.ClientResponse, err error) {
	if err != nil {
		c.answer(k.a, durable.ClientResponse{}, err)
		return
	}
	c.writePending(k.req, k.found, k.exec, k.etag, k.a)
}

// restartTerminated: a ReuseTerminate start's termination of the running
// execution is enqueued: send the start.
type restartTerminated startSent

func (k restartTerminated) replied(c *Client, _ durable.ClientResponse, err error) {
	if err != nil {
		c.answer(k.a, durable.ClientResponse{}, err)
		return
	}
	startSent(k).send(c)
}

// writePending writes a new execution's Instances row as Pending: an
// insert if the instance had no row, else a replace conditioned on the
// finished execution's row (etag). Either fails, and the row is left as
// it is, once the execution's first step has written it.
// A replace that finds another row (the terminated execution's last step
// wrote it) reads it and tries again while the row is an older
// execution's.
func (c *Client) writePending(req durable.ClientRequest, found bool, exec uint32, etag string, a answer) {
	row := &instanceRow{Name: req.Name, Status: durable.StatusPending, Input: req.Payload, Created: c.Now(), Updated: c.Now(),
		Exec: max(exec, 1), Progress: progress(max(exec, 1), 0)}
	// The execution the start begins, so that a restart names the next, and
	// its progress, so that a step of an earlier execution (terminated by
	// ReuseTerminate) does not merge its row over this one.
	if row.Input == nil {
		row.Input = []byte{}
	}
	kind := port.Insert
	if found {
		kind = port.Replace
	}
	c.writeInstance(c, req.Instance, kind, etag, row, pendingWritten{req: req, found: found, exec: exec, etag: etag, row: row, a: a})
}

// pendingWritten: the write of a start's Pending row came back.
type pendingWritten struct {
	req   durable.ClientRequest
	found bool
	exec  uint32
	etag  string
	row   *instanceRow
	a     answer
}

func (k pendingWritten) answer(c *Client) {
	c.answer(k.a, durable.ClientResponse{Found: true, Status: k.row.status(k.req.Instance)}, nil)
}

func (k pendingWritten) gotEtag(cr core, _ string, err error) {
	c := client(cr)
	switch {
	case errors.Is(err, port.ErrNotFound) && !k.found:
		// The Instances table does not exist yet: the workers create
		// it when they boot, and a start may come first.
		c.After(c.cfg.RetryDelay, writePendingRetry(k))
	case err == nil || errors.Is(err, port.ErrNotFound):
		k.answer(c)
	case errors.Is(err, port.ErrConflict) && k.found:
		c.readInstance(k.req.Instance, pendingReread(k))
	case errors.Is(err, port.ErrConflict):
		k.answer(c)
	default:
		c.After(c.cfg.RetryDelay, writePendingRetry(k))
	}
}

// pendingReread: the read of the row a Pending replace found changed
// came back: replace it again while it is an older execution's.
type pendingReread pendingWritten

func (k pendingReread) gotRow(cr core, cur instanceRow, ok bool, rerr error) {
	c := client(cr)
	if rerr == nil && ok && cur.Exec < k.exec && cur.Status != durable.StatusPending {
		c.writePending(k.req, k.found, k.exec, cur.etag, k.a)
		return
	}
	pendingWritten(k).answer(c)
}

// writePendingRetry: RetryDelay has passed since a Pending row's write
// failed.
type writePendingRetry pendingWritten

func (k writePendingRetry) Then() reactor.Then {
	return reactor.Then{Step: "write-pending-retry", About: k.req.Instance}
}

func (k writePendingRetry) clientStep(c *Client, _ reactor.Outcome) {
	c.writePending(k.req, k.found, k.exec, k.etag, k.a)
}

// message enqueues an event for an instance on its control queue.
func (c *Client) message(instance string, ev durable.Event, then replyTo) {
	c.messageExec(instance, ev, 0, then)
}

func (c *Client) messageExec(instance string, ev durable.Event, exec uint32, then replyTo) {
	c.sent++
	env := envelope{To: instance, Event: ev, Exec: exec, Sender: c.sender, Seq: c.sent}
	c.sendMessage(&env, fmt.Sprintf("%s/%d", c.sender, c.sent), then)
}

// sendMessage enqueues env until an enqueue succeeds. A failed enqueue may
// have landed (an ambiguous error), so the retry sends the same message:
// receivers that deduplicate (entities, orchestrations receiving events)
// drop the second copy by (sender, seq).
func (c *Client) sendMessage(env *envelope, key string, then replyTo) {
	q := c.n.control[c.n.controlFor(env.To)]
	c.send(q, env, key, 0, messageSent{env: env, key: key, then: then})
}

// messageSent: the enqueue of a client message (env, blob key key) came
// back.
type messageSent struct {
	env  *envelope
	key  string
	then replyTo
}

func (k messageSent) gotErr(cr core, err error) {
	c := client(cr)
	if stop := c.giveUp(k.env.To, err); err != nil && stop != nil {
		k.then.replied(c, durable.ClientResponse{}, stop)
		return
	}
	if err != nil {
		c.After(c.cfg.RetryDelay, sendRetry(k))
		return
	}
	k.then.replied(c, durable.ClientResponse{Found: true}, nil)
}

// sendRetry: RetryDelay has passed since a message's enqueue failed: send
// the same message again.
type sendRetry messageSent

func (k sendRetry) Then() reactor.Then { return reactor.Then{Step: "send-retry", About: k.env.To} }

func (k sendRetry) clientStep(c *Client, _ reactor.Outcome) { c.sendMessage(k.env, k.key, k.then) }

func (c *Client) status(instance string, a answer) {
	if durable.IsEntity(instance) {
		c.entityStatus(instance, a)
		return
	}
	c.readInstance(instance, statusRead{instance: instance, a: a})
}

// statusRead: a status request's row read came back.
type statusRead struct {
	instance string
	a        answer
}

func (k statusRead) gotRow(cr core, row instanceRow, found bool, err error) {
	c := client(cr)
	if err != nil || !found {
		c.answer(k.a, durable.ClientResponse{}, err)
		return
	}
	c.answer(k.a, durable.ClientResponse{Found: true, Status: row.status(k.instance)}, nil)
}

// entityStatus answers a status request for an entity with its state as
// the output (durable.ClientResponse); an entity without state is not found.
func (c *Client) entityStatus(instance string, a answer) {
	id, err := durable.ParseEntityID(instance)
	if err != nil {
		c.answer(a, durable.ClientResponse{}, err)
		return
	}
	c.readEntity(instance, entityStatusRead{instance: instance, name: id.Name, a: a})
}

// entityStatusRead: an entity status request's row read came back.
type entityStatusRead struct {
	instance, name string
	a              answer
}

func (k entityStatusRead) gotEntity(cr core, row entityRow, err error) {
	c := client(cr)
	if err != nil || !row.st.Exists {
		c.answer(k.a, durable.ClientResponse{}, err)
		return
	}
	st := durable.InstanceStatus{InstanceID: k.instance, Name: k.name, Status: durable.StatusRunning, Output: row.st.State}
	if row.updated != 0 {
		st.Updated = time.Unix(0, int64(row.updated)).UTC()
	}
	c.answer(k.a, durable.ClientResponse{Found: true, Status: st}, nil)
}

// wait polls the Instances row with back-off until the instance is done.
func (c *Client) wait(instance string, b queueBackoff, a answer) {
	c.readInstance(instance, waitRead{instance: instance, b: b, a: a})
}

// waitRead: a wait's row read came back; b is its back-off.
type waitRead struct {
	instance string
	b        queueBackoff
	a        answer
}

func (k waitRead) gotRow(cr core, row instanceRow, found bool, err error) {
	c, instance := client(cr), k.instance
	if err == nil && !found && !c.started[instance] {
		resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
		c.answer(k.a, resp, resp.Refused.Err(0))
		return
	}
	if found {
		delete(c.started, instance)
	}
	if err == nil && found && (durable.InstanceStatus{Status: row.Status}).Done() {
		c.answer(k.a, durable.ClientResponse{Found: true, Status: row.status(instance)}, nil)
		return
	}
	if stop := c.giveUp(instance, err); stop != nil {
		c.answer(k.a, durable.ClientResponse{}, stop)
		return
	}
	d := k.b.miss(&c.rnd)
	c.After(d, waitPoll(k))
}

// waitPoll: a wait's back-off has passed: read the row again.
type waitPoll waitRead

func (k waitPoll) Then() reactor.Then { return reactor.Then{Step: "wait-poll", About: k.instance} }

func (k waitPoll) clientStep(c *Client, _ reactor.Outcome) { c.wait(k.instance, k.b, k.a) }

// purgeTo is where a purge's answer goes: the call (a), or, for a
// sub-orchestration, the purge of its parent's children (kids).
type purgeTo struct {
	a    answer
	kids *purgeKids
}

// purgeKids is the purge of a purged instance's sub-orchestrations, one
// after the other (durable.PurgeKids).
type purgeKids = durable.PurgeKids[purgeTo]

// purge deletes a finished instance's history rows and its Instances row;
// recursive, it reads the history first and then purges the
// sub-orchestrations it created the same way (one after the other; one
// still running, or already purged, is left as it is).
func (c *Client) purge(instance string, recursive bool, to purgeTo) {
	c.readInstance(instance, purgeRead{instance: instance, recursive: recursive, to: to})
}

// purgeDone hands a purge's outcome to where it goes.
func (c *Client) purgeDone(to purgeTo, resp durable.ClientResponse, err error) {
	k := to.kids
	if k == nil {
		c.answer(to.a, resp, err)
		return
	}
	if err := k.Answered(resp, err); err != nil {
		c.purgeDone(k.To, k.Resp, fmt.Errorf("original: %w", err))
		return
	}
	c.purgeChildren(k)
}

// purgeChildren purges k.Children recursively, one after the other, and
// counts them in k.Resp.Purged.
func (c *Client) purgeChildren(k *purgeKids) {
	child, ok := k.Next()
	if !ok {
		c.purgeDone(k.To, k.Resp, nil)
		return
	}
	c.purge(child, true, purgeTo{kids: k})
}

// purgeRead: a purge's row read came back; the purge goes on with row
// (and, recursive, the sub-orchestrations its history created: children)
// once the history is read (gotHistory) and deleted (purged).
type purgeRead struct {
	instance  string
	recursive bool
	row       instanceRow
	children  []string
	to        purgeTo
}

func (k purgeRead) gotRow(cr core, row instanceRow, found bool, err error) {
	c, instance := client(cr), k.instance
	if err != nil {
		c.purgeDone(k.to, durable.ClientResponse{}, err)
		return
	}
	if !found {
		resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
		c.purgeDone(k.to, resp, resp.Refused.Err(0))
		return
	}
	if !row.status(instance).Done() {
		resp := durable.ClientResponse{Found: true, Status: row.status(instance), Refused: durable.RefusedNotFinished}
		c.purgeDone(k.to, resp, resp.Refused.Err(row.Status))
		return
	}
	k.row = row
	if !k.recursive {
		c.purgeHistory(instance, "", k)
		return
	}
	c.loadHistory(instance, k)
}

// gotHistory: a recursive purge's history is read: note the
// sub-orchestrations it created and delete it.
func (k purgeRead) gotHistory(cr core, h history, err error) {
	c := client(cr)
	if err != nil {
		c.purgeDone(k.to, durable.ClientResponse{}, wrap(err, "purge %s", k.instance))
		return
	}
	k.children = durable.SubOrchestrations(h.events)
	c.purgeHistory(k.instance, "", k)
}

// purged: the instance's history is deleted (or not, err): delete its
// row.
func (k purgeRead) purged(c *Client, err error) {
	if err != nil {
		c.purgeDone(k.to, durable.ClientResponse{}, err)
		return
	}
	w := port.TableWrite{Kind: port.Delete, IfMatch: "*", Entity: port.Entity{PartitionKey: k.instance}}
	c.Issue(port.TableWriteOp{Table: c.n.instances, W: w}, instanceRowPurged(k))
}

// instanceRowPurged: a purge's delete of the instance row came back: the
// children go next.
type instanceRowPurged purgeRead

func (k instanceRowPurged) Then() reactor.Then {
	return reactor.Then{Step: "purge-instance-row", About: k.instance}
}

func (k instanceRowPurged) clientStep(c *Client, o reactor.Outcome) {
	if cp := o.Completion; cp.Err != nil {
		c.purgeDone(k.to, durable.ClientResponse{}, wrap(cp.Err, "purge %s", k.instance))
		return
	}
	resp := durable.ClientResponse{Found: true, Status: k.row.status(k.instance), Purged: 1}
	c.purgeChildren(&purgeKids{Children: k.children, Resp: resp, To: k.to})
}

// purgeHistory deletes the history rows a page at a time (a page of up to
// 100 rows, deleted in one batch).
func (c *Client) purgeHistory(instance, cont string, then purgeRead) {
	q := port.TableQuery{PartitionKey: instance, PageSize: port.MaxBatchOps, Continuation: cont}
	c.Issue(port.TableQueryOp{Table: c.n.history, Q: q}, purgeHistoryPage{instance: instance, then: then})
}

// purgeHistoryPage: a page of the history being purged came back; with
// next, the batch deleting it.
type purgeHistoryPage struct {
	instance string
	next     string
	then     purgeRead
}

func (k purgeHistoryPage) Then() reactor.Then {
	return reactor.Then{Step: "purge-history-page", About: k.instance}
}

func (k purgeHistoryPage) clientStep(c *Client, o reactor.Outcome) {
	cp, instance := o.Completion, k.instance
	if cp.Err != nil {
		k.then.purged(c, wrap(cp.Err, "purge %s", instance))
		return
	}
	page := cp.Result.(port.EntityPage)
	if len(page.Entities) == 0 {
		k.then.purged(c, nil)
		return
	}
	ws := make([]port.TableWrite, len(page.Entities))
	for i, e := range page.Entities {
		ws[i] = port.TableWrite{Kind: port.Delete, IfMatch: "*", Entity: port.Entity{PartitionKey: instance, RowKey: e.RowKey}}
	}
	k.next = page.Next
	c.Issue(port.TableBatch{Table: c.n.history, Writes: ws}, purgeHistoryBatch(k))
}

// purgeHistoryBatch: the batch deleting a page of history came back.
type purgeHistoryBatch purgeHistoryPage

func (k purgeHistoryBatch) Then() reactor.Then {
	return reactor.Then{Step: "purge-history-batch", About: k.instance}
}

func (k purgeHistoryBatch) clientStep(c *Client, o reactor.Outcome) {
	if cp := o.Completion; cp.Err != nil || k.next == "" {
		k.then.purged(c, wrap(cp.Err, "purge %s", k.instance))
		return
	}
	c.purgeHistory(k.instance, "", k.then)
}
