package sql

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// ClientConfig are the knobs of a Client core.
type ClientConfig struct {
	Hub  string
	Seed uint64
	// WaitPoll is how often a wait request polls the instance (the
	// provider's WaitForOrchestration polls every second: 1ms..60s).
	WaitPoll port.Time
	// RetryDelay is the pause before a failed call is retried (1ms..60s,
	// default 100ms): at startup the schema may not exist yet.
	RetryDelay port.Time
}

// ClientDefaults returns the default client knobs.
func ClientDefaults(hub string) ClientConfig {
	return ClientConfig{Hub: hub, WaitPoll: port.Second, RetryDelay: 100 * port.Millisecond}
}

// Validate checks the client knobs.
func (c ClientConfig) Validate() error {
	if err := validHub(c.Hub); err != nil {
		return err
	}
	switch {
	case c.WaitPoll < port.Millisecond || c.WaitPoll > 60*port.Second:
		return fmt.Errorf("sql: ClientConfig.WaitPoll = %d ns, allowed: 1ms..60s", c.WaitPoll)
	case c.RetryDelay < port.Millisecond || c.RetryDelay > 60*port.Second:
		return fmt.Errorf("sql: ClientConfig.RetryDelay = %d ns, allowed: 1ms..60s", c.RetryDelay)
	}
	return nil
}

// Client is the SQL engine's client core: it answers
// port.ClientCall{Req: durable.ClientRequest} with port.Response{Resp:
// durable.ClientResponse}, one procedure call per request (a wait polls).
type Client struct {
	hubReactor[clientStep]
	cfg     ClientConfig
	life    string
	raised  int // raise requests sent in this life
	created uint64
	// queuedAfter holds, per instance with a start in flight (retried
	// after a storage error, say), the calls that came after it: they are
	// taken once the start is answered, so that a wait sent after a start
	// sees it, as on the other engines.
	queuedAfter map[string][]port.ClientCall
}

var _ port.Core = (*Client)(nil)

// NewClient returns a client core.
func NewClient(cfg ClientConfig) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{hubReactor: newHubReactor[clientStep](cfg.Hub), cfg: cfg}, nil
}

// Step implements port.Core.
func (c *Client) Step(now port.Time, in port.Input) {
	if _, ok := in.(port.Started); ok || c.life == "" {
		c.life = fmt.Sprintf("%x.%x", c.cfg.Seed, now)
	}
	if c.Dispatch(now, in, c.run) {
		return
	}
	if call, ok := in.(port.ClientCall); ok {
		c.handle(call)
	}
}

// reply is who a request's answer goes to: the call, and for a start the
// instance whose calls queued after it are taken once it is answered.
type reply struct {
	call  port.CallID
	start string
}

// answer answers a request.
func (c *Client) answer(r reply, resp durable.ClientResponse, err error) {
	c.Respond(r.call, resp, err)
	if r.start == "" {
		return
	}
	q := c.queuedAfter[r.start]
	delete(c.queuedAfter, r.start)
	for _, next := range q {
		c.handle(next)
	}
}

func (c *Client) handle(call port.ClientCall) {
	req, ok := call.Req.(durable.ClientRequest)
	if !ok {
		c.Respond(call.ID, nil, fmt.Errorf("sql: client call %d: Req is %T, want durable.ClientRequest", call.ID, call.Req))
		return
	}
	if req.Kind == durable.RequestQuery {
		c.queryInstances(req, reply{call: call.ID})
		return
	}
	if req.Instance == "" {
		c.Respond(call.ID, nil, fmt.Errorf("sql: %s request without an instance id", req.Kind))
		return
	}
	if err := durable.CheckPayload(req.Kind.String()+" "+req.Instance+" payload", req.Payload); err != nil {
		c.Respond(call.ID, nil, fmt.Errorf("sql: %w", err))
		return
	}
	if q, busy := c.queuedAfter[req.Instance]; busy {
		c.queuedAfter[req.Instance] = append(q, call)
		return
	}
	r := reply{call: call.ID}
	if durable.IsEntity(req.Instance) {
		c.entityCall(req, r)
		return
	}
	switch req.Kind {
	case durable.RequestStart:
		if c.queuedAfter == nil {
			c.queuedAfter = map[string][]port.ClientCall{}
		}
		c.queuedAfter[req.Instance] = nil
		c.start(req, reply{call: call.ID, start: req.Instance})
	case durable.RequestRaise:
		c.raise(req.Instance, durable.Event{Kind: durable.EventRaised, Name: req.Name, Payload: req.Payload}, r, answerFound)
	case durable.RequestTerminate:
		c.raise(req.Instance, durable.TerminateEvent(req), r, answerFound)
	case durable.RequestSuspend, durable.RequestResume:
		c.raise(req.Instance, durable.LifecycleEvent(req, int64(c.Now())), r, answerFound)
	case durable.RequestSignal:
		c.answer(r, durable.ClientResponse{}, fmt.Errorf("sql: signal %s: not an entity id (@name@key)", req.Instance))
	case durable.RequestStatus:
		c.query(req.Instance, r, answerStatus)
	case durable.RequestWait:
		c.wait(req.Instance, r)
	case durable.RequestPurge:
		c.purge(req.Instance, !req.OnlyThis, purgeTo{r: r})
	default:
		c.answer(r, durable.ClientResponse{}, fmt.Errorf("sql: unknown request kind %s", req.Kind))
	}
}

// entityCall answers requests for an entity: a signal is an event for it
// (its instance created on the way), a status reads its state (the
// instance's output; not found while it has none).
func (c *Client) entityCall(req durable.ClientRequest, r reply) {
	switch req.Kind {
	case durable.RequestSignal:
		c.raise(req.Instance, durable.Event{Kind: durable.EntitySignalRequested, Name: req.Name, Payload: req.Payload}, r, answerFound)
	case durable.RequestStatus:
		c.query(req.Instance, r, answerEntity)
	default:
		c.answer(r, durable.ClientResponse{}, fmt.Errorf("sql: %s %s: an entity takes signal and status requests only", req.Kind, req.Instance))
	}
}

// transient reports whether an error is worth retrying: anything but a
// definite answer of the procedure (a schema the workers have not created
// yet is worth waiting for).
func transient(err error) bool {
	return errors.Is(err, port.ErrNoSchema) || !errors.Is(err, port.ErrConflict) && !errors.Is(err, port.ErrNotFound) && !errors.Is(err, port.ErrBadRequest)
}

// start creates the instance with its ExecutionStarted in one call; a
// Pending or Running instance of that id refuses it, a finished one is
// purged and started again (the provider's default dedupe statuses). A
// retried call that finds its own execution took effect before.
func (c *Client) start(req durable.ClientRequest, r reply) {
	c.created++
	exec := fmt.Sprintf("%s.%x", c.life, c.created)
	ev := durable.StartEvent(req)
	p := port.SQLCreateInstance{Instance: req.Instance, Name: req.Name, Exec: exec, Input: orEmpty(req.Payload),
		Start: durable.AppendEvent(nil, &ev), Dedupe: []string{port.SQLPending, port.SQLRunning, port.SQLSuspended}}
	c.call(p, instanceCreated{create: p, req: req, ev: ev, first: true, r: r})
}

// instanceCreated: the call creating an instance (p; its first try or a
// retry) came back.
type instanceCreated struct {
	create port.SQLCreateInstance
	req    durable.ClientRequest
	ev     durable.Event // the ExecutionStarted
	first  bool
	r      reply
}

func (k instanceCreated) Then() reactor.Then {
	return reactor.Then{Step: "instance-created", About: k.req.Instance}
}

func (k instanceCreated) step(c *Client, o reactor.Outcome) {
	req, cp := k.req, o.Completion
	row, _ := cp.Result.(port.SQLInstance)
	switch {
	case cp.Err == nil:
		c.answer(k.r, response(row), nil)
	case errors.Is(cp.Err, port.ErrConflict) && !k.first && row.Exec == k.create.Exec:
		c.answer(k.r, response(row), nil)
	case errors.Is(cp.Err, port.ErrConflict) && req.Reuse == durable.ReuseIgnore:
		c.answer(k.r, response(row), nil)
	case errors.Is(cp.Err, port.ErrConflict) && req.Reuse == durable.ReuseTerminate:
		c.restart(req, k.ev, k.r)
	case errors.Is(cp.Err, port.ErrConflict):
		resp := response(row)
		c.answer(k.r, resp, fmt.Errorf("sql: start %s: %w", req.Instance, durable.RefusedExists.Err(resp.Status.Status)))
	case transient(cp.Err):
		retry := k
		retry.first = false
		c.After(c.cfg.RetryDelay, startRetry{retry})
	default:
		c.answer(k.r, durable.ClientResponse{}, fmt.Errorf("sql: start %s: %w", req.Instance, cp.Err))
	}
}

// startRetry: RetryDelay has passed since a start's call failed: call
// again (not the first try: finding its own execution is success).
type startRetry struct{ instanceCreated }

func (k startRetry) Then() reactor.Then {
	return reactor.Then{Step: "start-retry", About: k.req.Instance}
}

func (k startRetry) step(c *Client, _ reactor.Outcome) { c.call(k.create, k.instanceCreated) }

// restart is a start under ReuseTerminate of an unfinished instance: the
// termination and the new start go to the instance as events, in that
// order, so one step ends the execution and begins the new one
// (replay.Result.NewExecution).
func (c *Client) restart(req durable.ClientRequest, start durable.Event, r reply) {
	term := durable.Event{Kind: durable.ExecutionTerminated, Payload: []byte(`"restarted"`)}
	c.raiseThen(req.Instance, term, r, raiseStart, start)
}

// after says what a client does once a raise or query of its succeeded.
type after int

const (
	answerFound  after = iota // a raise: answer Found
	answerStatus              // a query: answer the row's status
	answerEntity              // a query: answer the entity's state
	waitDone                  // a query: answer once the instance is done, else poll again
	raiseStart                // a restart's termination raised: raise its start
	queryStarted              // a restart's start raised: answer the instance's status
)

// raise inserts an event for an existing instance; a retry carries the
// first call's request id, so an event whose answer was lost is not
// inserted twice.
func (c *Client) raise(instance string, ev durable.Event, r reply, next after) {
	c.raiseThen(instance, ev, r, next, durable.Event{})
}

// raiseThen is raise with the start a restart raises next.
func (c *Client) raiseThen(instance string, ev durable.Event, r reply, next after, start durable.Event) {
	c.raised++
	c.raiseAs(eventRaised{id: fmt.Sprintf("%s.r%x", c.life, c.raised), instance: instance, ev: ev, r: r, next: next, start: start})
}

func (c *Client) raiseAs(k eventRaised) {
	c.call(port.SQLRaiseEvent{Instance: k.instance, Event: durable.AppendEvent(nil, &k.ev), Request: k.id}, k)
}

// eventRaised: the call inserting ev (request id) for an instance came
// back; next says what follows success.
type eventRaised struct {
	id, instance string
	ev           durable.Event
	r            reply
	next         after
	start        durable.Event // under raiseStart
}

func (k eventRaised) Then() reactor.Then {
	return reactor.Then{Step: "event-raised", About: k.instance}
}

func (k eventRaised) step(c *Client, o reactor.Outcome) {
	switch cp := o.Completion; {
	case cp.Err == nil:
		c.raisedOK(k)
	case transient(cp.Err):
		c.After(c.cfg.RetryDelay, raiseRetry{k})
	default:
		c.answer(k.r, durable.ClientResponse{}, fmt.Errorf("sql: %s to %s: %w", k.ev.Kind, k.instance, cp.Err))
	}
}

func (c *Client) raisedOK(k eventRaised) {
	switch k.next {
	case raiseStart:
		c.raise(k.instance, k.start, k.r, queryStarted)
	case queryStarted:
		c.query(k.instance, k.r, answerStatus)
	default:
		c.answer(k.r, durable.ClientResponse{Found: true}, nil)
	}
}

// raiseRetry: RetryDelay has passed since a raise failed: call again with
// the same request id.
type raiseRetry struct{ eventRaised }

func (k raiseRetry) Then() reactor.Then { return reactor.Then{Step: "raise-retry", About: k.instance} }

func (k raiseRetry) step(c *Client, _ reactor.Outcome) { c.raiseAs(k.eventRaised) }

// query reads the instance row, retrying transient errors; next says what
// the row is for.
func (c *Client) query(instance string, r reply, next after) {
	c.call(port.SQLQueryInstance{Instance: instance}, instanceQueried{instance: instance, r: r, next: next})
}

// instanceQueried: an instance row read came back.
type instanceQueried struct {
	instance string
	r        reply
	next     after
}

func (k instanceQueried) Then() reactor.Then {
	return reactor.Then{Step: "instance-queried", About: k.instance}
}

func (k instanceQueried) step(c *Client, o reactor.Outcome) {
	switch cp := o.Completion; {
	case cp.Err == nil:
		row, _ := cp.Result.(port.SQLInstance)
		c.queried(k, row)
	case transient(cp.Err):
		c.After(c.cfg.RetryDelay, queryRetry{k})
	default:
		c.answer(k.r, durable.ClientResponse{}, fmt.Errorf("sql: query %s: %w", k.instance, cp.Err))
	}
}

// queried takes an instance row read for k.next.
func (c *Client) queried(k instanceQueried, row port.SQLInstance) {
	switch k.next {
	case answerEntity:
		if !row.Found || row.Output == nil {
			c.answer(k.r, durable.ClientResponse{}, nil)
			return
		}
		c.answer(k.r, durable.ClientResponse{Found: true, Status: durable.InstanceStatus{InstanceID: k.instance, Name: row.Name,
			Status: durable.StatusRunning, Output: row.Output}}, nil)
	case waitDone:
		if !row.Found {
			resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
			c.answer(k.r, resp, resp.Refused.Err(0))
			return
		}
		if port.SQLDone(row.Status) {
			c.answer(k.r, response(row), nil)
			return
		}
		c.After(c.cfg.WaitPoll, waitPoll{instance: k.instance, r: k.r})
	default:
		c.answer(k.r, response(row), nil)
	}
}

// queryRetry: RetryDelay has passed since a row read failed: read again.
type queryRetry struct{ instanceQueried }

func (k queryRetry) Then() reactor.Then { return reactor.Then{Step: "query-retry", About: k.instance} }

func (k queryRetry) step(c *Client, _ reactor.Outcome) { c.query(k.instance, k.r, k.next) }

// wait polls the instance every WaitPoll until it is done; an id never
// started (or purged) is refused at once. A start this client made before
// is already committed: calls on one instance complete in issue order.
func (c *Client) wait(instance string, r reply) { c.query(instance, r, waitDone) }

// waitPoll: WaitPoll has passed since a wait found its instance not done.
type waitPoll struct {
	instance string
	r        reply
}

func (k waitPoll) Then() reactor.Then { return reactor.Then{Step: "wait-poll", About: k.instance} }

func (k waitPoll) step(c *Client, _ reactor.Outcome) { c.wait(k.instance, k.r) }

// purgeTo is where a purge's answer goes: the call (r), or, for a
// sub-orchestration, the purge of its parent's children (kids).
type purgeTo struct {
	r    reply
	kids *purgeKids
}

// purgeKids is the purge of a purged instance's sub-orchestrations, one
// after the other (durable.PurgeKids).
type purgeKids = durable.PurgeKids[purgeTo]

// purge purges a finished instance (one procedure call) and, recursive,
// its sub-orchestrations after it.
func (c *Client) purge(instance string, recursive bool, to purgeTo) {
	c.call(port.SQLPurgeInstance{Instance: instance, Children: recursive}, instancePurged{instance: instance, recursive: recursive, to: to})
}

// purged hands a purge's outcome to where it goes.
func (c *Client) purged(to purgeTo, resp durable.ClientResponse, err error) {
	k := to.kids
	if k == nil {
		c.answer(to.r, resp, err)
		return
	}
	if err := k.Answered(resp, err); err != nil {
		c.purged(k.To, k.Resp, fmt.Errorf("sql: %w", err))
		return
	}
	c.purgeChildren(k)
}

// purgeChildren purges the sub-orchestrations of a purged instance (the
// instances whose parent it was), recursively, one after the other, and
// counts them in k.resp.Purged; one still running, or already purged, is
// left as it is.
func (c *Client) purgeChildren(k *purgeKids) {
	child, ok := k.Next()
	if !ok {
		c.purged(k.To, k.Resp, nil)
		return
	}
	c.purge(child, true, purgeTo{kids: k})
}

// instancePurged: a purge call came back.
type instancePurged struct {
	instance  string
	recursive bool
	to        purgeTo
}

func (k instancePurged) Then() reactor.Then {
	return reactor.Then{Step: "instance-purged", About: k.instance}
}

func (k instancePurged) step(c *Client, o reactor.Outcome) {
	instance, done := k.instance, func(resp durable.ClientResponse, err error) { c.purged(k.to, resp, err) }
	cp := o.Completion
	row, _ := cp.Result.(port.SQLInstance)
	switch {
	case cp.Err == nil && !row.Found:
		resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
		done(resp, resp.Refused.Err(0))
	case cp.Err == nil:
		resp := response(row)
		resp.Purged = 1
		c.purgeChildren(&purgeKids{Children: row.Children, Resp: resp, To: k.to})
	case errors.Is(cp.Err, port.ErrConflict):
		resp := response(row)
		resp.Refused = durable.RefusedNotFinished
		done(resp, fmt.Errorf("sql: purge %s: %w", instance, resp.Refused.Err(resp.Status.Status)))
	case transient(cp.Err):
		c.After(c.cfg.RetryDelay, purgeRetry{k})
	default:
		done(durable.ClientResponse{}, fmt.Errorf("sql: purge %s: %w", instance, cp.Err))
	}
}

// purgeRetry: RetryDelay has passed since a purge failed: purge again.
type purgeRetry struct{ instancePurged }

func (k purgeRetry) Then() reactor.Then { return reactor.Then{Step: "purge-retry", About: k.instance} }

func (k purgeRetry) step(c *Client, _ reactor.Outcome) { c.purge(k.instance, k.recursive, k.to) }

// queryInstances answers an instance query from the Instances table: one
// page (a row more than the page, to know whether another follows).
func (c *Client) queryInstances(req durable.ClientRequest, r reply) {
	q, err := durable.DecodeQuery(req)
	if err != nil {
		c.answer(r, durable.ClientResponse{}, fmt.Errorf("sql: %w", err))
		return
	}
	p := port.SQLQueryInstances{After: q.ContinuationToken, NamePrefix: q.NamePrefix, Limit: q.Size() + 1,
		CreatedFrom: timeOf(q.CreatedFrom), CreatedTo: timeOf(q.CreatedTo)}
	for _, s := range q.Statuses {
		p.Statuses = append(p.Statuses, s.String())
	}
	c.call(p, instancesPage{req: req, q: q, r: r})
}

// instancesPage: a page of an instance query (req, decoded as q) came back.
type instancesPage struct {
	req durable.ClientRequest
	q   durable.InstanceQuery
	r   reply
}

func (instancesPage) Then() reactor.Then { return reactor.Then{Step: "instances-page"} }

func (k instancesPage) step(c *Client, o reactor.Outcome) {
	switch cp := o.Completion; {
	case cp.Err == nil:
		rows, _ := cp.Result.([]port.SQLInstance)
		sts := make([]durable.InstanceStatus, 0, len(rows))
		for _, r := range rows {
			sts = append(sts, response(r).Status)
		}
		page := durable.PageOf(k.q, sts, len(rows) > k.q.Size())
		c.answer(k.r, durable.ClientResponse{Found: true, Page: &page}, nil)
	case transient(cp.Err):
		c.After(c.cfg.RetryDelay, queryInstancesRetry{k})
	default:
		c.answer(k.r, durable.ClientResponse{}, fmt.Errorf("sql: query instances: %w", cp.Err))
	}
}

// queryInstancesRetry: RetryDelay has passed since a page read failed:
// query again.
type queryInstancesRetry struct{ instancesPage }

func (queryInstancesRetry) Then() reactor.Then { return reactor.Then{Step: "query-instances-retry"} }

func (k queryInstancesRetry) step(c *Client, _ reactor.Outcome) { c.queryInstances(k.req, k.r) }

// timeOf is t as the Instances table stores times (0: unbounded).
func timeOf(t time.Time) port.Time {
	if t.IsZero() {
		return 0
	}
	return port.Time(t.UnixNano())
}

// response maps an Instances row to a client response.
func response(r port.SQLInstance) durable.ClientResponse {
	if !r.Found {
		return durable.ClientResponse{}
	}
	st, err := durable.ParseStatus(r.Status)
	if err != nil {
		st = durable.StatusUnknown
	}
	return durable.ClientResponse{Found: true, Status: durable.InstanceStatus{InstanceID: r.Instance, Name: r.Name, Status: st,
		Input: r.Input, Output: r.Output, CustomStatus: r.Custom,
		Created: time.Unix(0, int64(r.Created)).UTC(), Updated: time.Unix(0, int64(r.Updated)).UTC()}.WithFailure(r.Failure)}
}
