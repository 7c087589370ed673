package sql

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
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
	hubReactor
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
	return &Client{hubReactor: newHubReactor(cfg.Hub), cfg: cfg}, nil
}

// Step implements port.Core.
func (c *Client) Step(now port.Time, in port.Input) {
	if _, ok := in.(port.Started); ok || c.life == "" {
		c.life = fmt.Sprintf("%x.%x", c.cfg.Seed, now)
	}
	if c.Dispatch(now, in) {
		return
	}
	if call, ok := in.(port.ClientCall); ok {
		c.handle(call)
	}
}

type reply func(durable.ClientResponse, error)

func (c *Client) handle(call port.ClientCall) {
	req, ok := call.Req.(durable.ClientRequest)
	if !ok {
		c.Respond(call.ID, nil, fmt.Errorf("sql: client call %d: Req is %T, want durable.ClientRequest", call.ID, call.Req))
		return
	}
	if req.Kind == durable.RequestQuery {
		c.queryInstances(req, func(resp durable.ClientResponse, err error) { c.Respond(call.ID, resp, err) })
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
	done := func(resp durable.ClientResponse, err error) { c.Respond(call.ID, resp, err) }
	if durable.IsEntity(req.Instance) {
		c.entityCall(req, done)
		return
	}
	switch req.Kind {
	case durable.RequestStart:
		if c.queuedAfter == nil {
			c.queuedAfter = map[string][]port.ClientCall{}
		}
		c.queuedAfter[req.Instance] = nil
		c.start(req, func(resp durable.ClientResponse, err error) {
			done(resp, err)
			q := c.queuedAfter[req.Instance]
			delete(c.queuedAfter, req.Instance)
			for _, next := range q {
				c.handle(next)
			}
		})
	case durable.RequestRaise:
		c.raise(req.Instance, durable.Event{Kind: durable.EventRaised, Name: req.Name, Payload: req.Payload}, done)
	case durable.RequestTerminate:
		c.raise(req.Instance, durable.TerminateEvent(req), done)
	case durable.RequestSuspend, durable.RequestResume:
		c.raise(req.Instance, durable.LifecycleEvent(req, int64(c.Now())), done)
	case durable.RequestSignal:
		done(durable.ClientResponse{}, fmt.Errorf("sql: signal %s: not an entity id (@name@key)", req.Instance))
	case durable.RequestStatus:
		c.query(req.Instance, func(row port.SQLInstance) { done(response(row), nil) }, done)
	case durable.RequestWait:
		c.wait(req.Instance, done)
	case durable.RequestPurge:
		c.purge(req.Instance, !req.OnlyThis, done)
	default:
		done(durable.ClientResponse{}, fmt.Errorf("sql: unknown request kind %s", req.Kind))
	}
}

// entityCall answers requests for an entity: a signal is an event for it
// (its instance created on the way), a status reads its state (the
// instance's output; not found while it has none).
func (c *Client) entityCall(req durable.ClientRequest, done reply) {
	switch req.Kind {
	case durable.RequestSignal:
		c.raise(req.Instance, durable.Event{Kind: durable.EntitySignalRequested, Name: req.Name, Payload: req.Payload}, done)
	case durable.RequestStatus:
		c.query(req.Instance, func(row port.SQLInstance) {
			if !row.Found || row.Output == nil {
				done(durable.ClientResponse{}, nil)
				return
			}
			done(durable.ClientResponse{Found: true, Status: durable.InstanceStatus{InstanceID: req.Instance, Name: row.Name,
				Status: durable.StatusRunning, Output: row.Output}}, nil)
		}, done)
	default:
		done(durable.ClientResponse{}, fmt.Errorf("sql: %s %s: an entity takes signal and status requests only", req.Kind, req.Instance))
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
func (c *Client) start(req durable.ClientRequest, done reply) {
	c.created++
	exec := fmt.Sprintf("%s.%x", c.life, c.created)
	ev := durable.StartEvent(req)
	p := port.SQLCreateInstance{Instance: req.Instance, Name: req.Name, Exec: exec, Input: orEmpty(req.Payload),
		Start: durable.AppendEvent(nil, &ev), Dedupe: []string{port.SQLPending, port.SQLRunning, port.SQLSuspended}}
	var try func(first bool)
	try = func(first bool) {
		c.call(p, "instance-created", req.Instance, func(cp port.Completion) {
			row, _ := cp.Result.(port.SQLInstance)
			switch {
			case cp.Err == nil:
				done(response(row), nil)
			case errors.Is(cp.Err, port.ErrConflict) && !first && row.Exec == exec:
				done(response(row), nil)
			case errors.Is(cp.Err, port.ErrConflict) && req.Reuse == durable.ReuseIgnore:
				done(response(row), nil)
			case errors.Is(cp.Err, port.ErrConflict) && req.Reuse == durable.ReuseTerminate:
				c.restart(req, ev, done)
			case errors.Is(cp.Err, port.ErrConflict):
				resp := response(row)
				done(resp, fmt.Errorf("sql: start %s: %w", req.Instance, durable.RefusedExists.Err(resp.Status.Status)))
			case transient(cp.Err):
				c.After(c.cfg.RetryDelay, "start-retry", req.Instance, func() { try(false) })
			default:
				done(durable.ClientResponse{}, fmt.Errorf("sql: start %s: %w", req.Instance, cp.Err))
			}
		})
	}
	try(true)
}

// restart is a start under ReuseTerminate of an unfinished instance: the
// termination and the new start go to the instance as events, in that
// order, so one step ends the execution and begins the new one
// (replay.Result.NewExecution).
func (c *Client) restart(req durable.ClientRequest, start durable.Event, done reply) {
	term := durable.Event{Kind: durable.ExecutionTerminated, Payload: []byte(`"restarted"`)}
	c.raise(req.Instance, term, func(_ durable.ClientResponse, err error) {
		if err != nil {
			done(durable.ClientResponse{}, err)
			return
		}
		c.raise(req.Instance, start, func(_ durable.ClientResponse, err error) {
			if err != nil {
				done(durable.ClientResponse{}, err)
				return
			}
			c.query(req.Instance, func(row port.SQLInstance) { done(response(row), nil) }, done)
		})
	})
}

// raise inserts an event for an existing instance; a retry carries the
// first call's request id, so an event whose answer was lost is not
// inserted twice.
func (c *Client) raise(instance string, ev durable.Event, done reply) {
	c.raised++
	c.raiseAs(fmt.Sprintf("%s.r%x", c.life, c.raised), instance, ev, done)
}

func (c *Client) raiseAs(id, instance string, ev durable.Event, done reply) {
	p := port.SQLRaiseEvent{Instance: instance, Event: durable.AppendEvent(nil, &ev), Request: id}
	c.call(p, "event-raised", instance, func(cp port.Completion) {
		switch {
		case cp.Err == nil:
			done(durable.ClientResponse{Found: true}, nil)
		case transient(cp.Err):
			c.After(c.cfg.RetryDelay, "raise-retry", instance, func() { c.raiseAs(id, instance, ev, done) })
		default:
			done(durable.ClientResponse{}, fmt.Errorf("sql: %s to %s: %w", ev.Kind, instance, cp.Err))
		}
	})
}

// query reads the instance row, retrying transient errors.
func (c *Client) query(instance string, then func(port.SQLInstance), done reply) {
	c.call(port.SQLQueryInstance{Instance: instance}, "instance-queried", instance, func(cp port.Completion) {
		switch {
		case cp.Err == nil:
			row, _ := cp.Result.(port.SQLInstance)
			then(row)
		case transient(cp.Err):
			c.After(c.cfg.RetryDelay, "query-retry", instance, func() { c.query(instance, then, done) })
		default:
			done(durable.ClientResponse{}, fmt.Errorf("sql: query %s: %w", instance, cp.Err))
		}
	})
}

// wait polls the instance every WaitPoll until it is done; an id never
// started (or purged) is refused at once. A start this client made before
// is already committed: calls on one instance complete in issue order.
func (c *Client) wait(instance string, done reply) {
	c.query(instance, func(row port.SQLInstance) {
		if !row.Found {
			resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
			done(resp, resp.Refused.Err(0))
			return
		}
		if port.SQLDone(row.Status) {
			done(response(row), nil)
			return
		}
		c.After(c.cfg.WaitPoll, "wait-poll", instance, func() { c.wait(instance, done) })
	}, done)
}

// purge purges a finished instance (one procedure call) and, recursive,
// its sub-orchestrations after it.
func (c *Client) purge(instance string, recursive bool, done reply) {
	c.call(port.SQLPurgeInstance{Instance: instance, Children: recursive}, "instance-purged", instance, func(cp port.Completion) {
		row, _ := cp.Result.(port.SQLInstance)
		switch {
		case cp.Err == nil && !row.Found:
			resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
			done(resp, resp.Refused.Err(0))
		case cp.Err == nil:
			resp := response(row)
			resp.Purged = 1
			c.purgeChildren(row.Children, &resp, func(err error) { done(resp, err) })
		case errors.Is(cp.Err, port.ErrConflict):
			resp := response(row)
			resp.Refused = durable.RefusedNotFinished
			done(resp, fmt.Errorf("sql: purge %s: %w", instance, resp.Refused.Err(resp.Status.Status)))
		case transient(cp.Err):
			c.After(c.cfg.RetryDelay, "purge-retry", instance, func() { c.purge(instance, recursive, done) })
		default:
			done(durable.ClientResponse{}, fmt.Errorf("sql: purge %s: %w", instance, cp.Err))
		}
	})
}

// purgeChildren purges the sub-orchestrations of a purged instance (the
// instances whose parent it was), recursively, one after the other, and
// counts them in resp.Purged; one still running, or already purged, is
// left as it is.
func (c *Client) purgeChildren(children []string, resp *durable.ClientResponse, cb func(error)) {
	if len(children) == 0 {
		cb(nil)
		return
	}
	c.purge(children[0], true, func(r durable.ClientResponse, err error) {
		switch {
		case err == nil:
			resp.Purged += r.Purged
		case r.Refused == durable.NotRefused:
			cb(fmt.Errorf("sql: purge of sub-orchestration %s: %w", children[0], err))
			return
		}
		c.purgeChildren(children[1:], resp, cb)
	})
}

// queryInstances answers an instance query from the Instances table: one
// page (a row more than the page, to know whether another follows).
func (c *Client) queryInstances(req durable.ClientRequest, done reply) {
	q, err := durable.DecodeQuery(req)
	if err != nil {
		done(durable.ClientResponse{}, fmt.Errorf("sql: %w", err))
		return
	}
	p := port.SQLQueryInstances{After: q.ContinuationToken, NamePrefix: q.NamePrefix, Limit: q.Size() + 1,
		CreatedFrom: timeOf(q.CreatedFrom), CreatedTo: timeOf(q.CreatedTo)}
	for _, s := range q.Statuses {
		p.Statuses = append(p.Statuses, s.String())
	}
	c.call(p, "instances-page", "", func(cp port.Completion) {
		switch {
		case cp.Err == nil:
			rows, _ := cp.Result.([]port.SQLInstance)
			sts := make([]durable.InstanceStatus, 0, len(rows))
			for _, r := range rows {
				sts = append(sts, response(r).Status)
			}
			page := durable.PageOf(q, sts, len(rows) > q.Size())
			done(durable.ClientResponse{Found: true, Page: &page}, nil)
		case transient(cp.Err):
			c.After(c.cfg.RetryDelay, "query-instances-retry", "", func() { c.queryInstances(req, done) })
		default:
			done(durable.ClientResponse{}, fmt.Errorf("sql: query instances: %w", cp.Err))
		}
	})
}

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
