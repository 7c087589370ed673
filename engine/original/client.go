package original

import (
	"errors"
	"fmt"

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
	return &Client{hubIO: hubIO{Funcs: reactor.NewFuncs(reactor.PerKind), n: newNames(cfg.Hub, cfg.ControlQueues)},
		cfg: cfg, rnd: backoff.NewRand(cfg.Seed)}, nil
}

// Step implements port.Core.
func (c *Client) Step(now port.Time, in port.Input) {
	if _, ok := in.(port.Started); ok || c.sender == "" {
		c.sender = fmt.Sprintf("client/%x/%d", c.cfg.Seed, now)
	}
	if c.Dispatch(now, in) {
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
		c.queryInstances(req, func(resp durable.ClientResponse, err error) { c.Respond(call.ID, resp, err) })
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
	done := func(resp durable.ClientResponse, err error) { c.Respond(call.ID, resp, err) }
	switch req.Kind {
	case durable.RequestStart:
		if c.queuedAfter == nil {
			c.queuedAfter = map[string][]port.ClientCall{}
		}
		c.queuedAfter[req.Instance] = nil
		c.start(req, func(resp durable.ClientResponse, err error) {
			if err == nil {
				if c.started == nil {
					c.started = map[string]bool{}
				}
				c.started[req.Instance] = true
			}
			done(resp, err)
			q := c.queuedAfter[req.Instance]
			delete(c.queuedAfter, req.Instance)
			for i, next := range q {
				c.call(next)
				if _, busy := c.queuedAfter[req.Instance]; busy {
					// another start: the rest waits for it
					c.queuedAfter[req.Instance] = append(c.queuedAfter[req.Instance], q[i+1:]...)
					return
				}
			}
		})
	case durable.RequestRaise:
		c.message(req.Instance, durable.Event{Kind: durable.EventRaised, Name: req.Name, Payload: req.Payload}, done)
	case durable.RequestSignal:
		c.message(req.Instance, durable.Event{Kind: durable.EntitySignalRequested, Name: req.Name, Payload: req.Payload}, done)
	case durable.RequestTerminate:
		c.message(req.Instance, durable.TerminateEvent(req), done)
	case durable.RequestSuspend, durable.RequestResume:
		c.message(req.Instance, durable.LifecycleEvent(req, int64(c.Now())), done)
	case durable.RequestStatus:
		c.status(req.Instance, done)
	case durable.RequestWait:
		c.wait(req.Instance, newBackoff(c.cfg.WaitPollMin, c.cfg.WaitPollMax), done)
	case durable.RequestPurge:
		c.purge(req.Instance, !req.OnlyThis, done)
	default:
		done(durable.ClientResponse{}, fmt.Errorf("original: unknown request kind %s", req.Kind))
	}
}

type reply func(durable.ClientResponse, error)

// start reads the Instances row (an instance that exists and is not
// finished may not be started again; a finished one starts a new
// execution), enqueues ExecutionStarted, then writes the row as Pending.
// This is the provider's order: a crash between the two leaves a message
// that starts the instance (its first step writes the row), where the
// reverse order leaves a Pending row that nothing starts and that blocks
// starting the instance again (found by the SIGKILL test on Azurite).
func (c *Client) start(req durable.ClientRequest, done reply) {
	c.readInstance(req.Instance, func(old instanceRow, found bool, err error) {
		if stop := c.giveUp(req.Instance, err); stop != nil {
			done(durable.ClientResponse{}, stop)
			return
		}
		if err != nil {
			c.After(c.cfg.RetryDelay, "start-retry", req.Instance, func() { c.start(req, done) })
			return
		}
		running := found && !old.status(req.Instance).Done()
		if running && req.Reuse != durable.ReuseTerminate {
			resp := durable.ClientResponse{Found: true, Status: old.status(req.Instance)}
			if req.Reuse == durable.ReuseIgnore {
				done(resp, nil)
				return
			}
			resp.Refused = durable.RefusedExists
			done(resp, resp.Refused.Err(old.Status))
			return
		}
		var exec uint32
		if found {
			exec = old.Exec + 1
		}
		ev := durable.StartEvent(req)
		send := func() {
			c.messageExec(req.Instance, ev, exec, func(_ durable.ClientResponse, err error) {
				if err != nil {
					done(durable.ClientResponse{}, err)
					return
				}
				c.writePending(req, found, exec, old.etag, done)
			})
		}
		if !running {
			send()
			return
		}
		// ReuseTerminate: the running execution is terminated (a step that
		// takes both messages at once replaces it at once: startFirst).
		c.message(req.Instance, durable.Event{Kind: durable.ExecutionTerminated, Payload: []byte(`"restarted"`)},
			func(_ durable.ClientResponse, err error) {
				if err != nil {
					done(durable.ClientResponse{}, err)
					return
				}
				send()
			})
	})
}

// writePending writes a new execution's Instances row as Pending: an
// insert if the instance had no row, else a replace conditioned on the
// finished execution's row (etag). Either fails, and the row is left as
// it is, once the execution's first step has written it.
// A replace that finds another row (the terminated execution's last step
// wrote it) reads it and tries again while the row is an older
// execution's.
func (c *Client) writePending(req durable.ClientRequest, found bool, exec uint32, etag string, done reply) {
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
	answer := func() { done(durable.ClientResponse{Found: true, Status: row.status(req.Instance)}, nil) }
	c.writeInstance(req.Instance, kind, etag, row, func(_ string, err error) {
		switch {
		case errors.Is(err, port.ErrNotFound) && !found:
			// The Instances table does not exist yet: the workers create
			// it when they boot, and a start may come first.
			c.After(c.cfg.RetryDelay, "write-pending-retry", req.Instance, func() { c.writePending(req, found, exec, etag, done) })
		case err == nil || errors.Is(err, port.ErrNotFound):
			answer()
		case errors.Is(err, port.ErrConflict) && found:
			c.readInstance(req.Instance, func(cur instanceRow, ok bool, rerr error) {
				if rerr == nil && ok && cur.Exec < exec && cur.Status != durable.StatusPending {
					c.writePending(req, found, exec, cur.etag, done)
					return
				}
				answer()
			})
		case errors.Is(err, port.ErrConflict):
			answer()
		default:
			c.After(c.cfg.RetryDelay, "write-pending-retry", req.Instance, func() { c.writePending(req, found, exec, etag, done) })
		}
	})
}

// message enqueues an event for an instance on its control queue.
func (c *Client) message(instance string, ev durable.Event, done reply) {
	c.messageExec(instance, ev, 0, done)
}

func (c *Client) messageExec(instance string, ev durable.Event, exec uint32, done reply) {
	c.sent++
	env := envelope{To: instance, Event: ev, Exec: exec, Sender: c.sender, Seq: c.sent}
	c.sendMessage(&env, fmt.Sprintf("%s/%d", c.sender, c.sent), done)
}

// sendMessage enqueues env until an enqueue succeeds. A failed enqueue may
// have landed (an ambiguous error), so the retry sends the same message:
// receivers that deduplicate (entities, orchestrations receiving events)
// drop the second copy by (sender, seq).
func (c *Client) sendMessage(env *envelope, key string, done reply) {
	q := c.n.control[c.n.controlFor(env.To)]
	c.send(q, env, key, 0, func(err error) {
		if stop := c.giveUp(env.To, err); err != nil && stop != nil {
			done(durable.ClientResponse{}, stop)
			return
		}
		if err != nil {
			c.After(c.cfg.RetryDelay, "send-retry", env.To, func() { c.sendMessage(env, key, done) })
			return
		}
		done(durable.ClientResponse{Found: true}, nil)
	})
}

func (c *Client) status(instance string, done reply) {
	if durable.IsEntity(instance) {
		c.entityStatus(instance, done)
		return
	}
	c.readInstance(instance, func(row instanceRow, found bool, err error) {
		if err != nil || !found {
			done(durable.ClientResponse{}, err)
			return
		}
		done(durable.ClientResponse{Found: true, Status: row.status(instance)}, nil)
	})
}

// entityStatus answers a status request for an entity with its state as
// the output (durable.ClientResponse); an entity without state is not found.
func (c *Client) entityStatus(instance string, done reply) {
	id, err := durable.ParseEntityID(instance)
	if err != nil {
		done(durable.ClientResponse{}, err)
		return
	}
	c.readEntity(instance, func(row entityRow, err error) {
		if err != nil || !row.st.Exists {
			done(durable.ClientResponse{}, err)
			return
		}
		done(durable.ClientResponse{Found: true, Status: durable.InstanceStatus{InstanceID: instance, Name: id.Name,
			Status: durable.StatusRunning, Output: row.st.State}}, nil)
	})
}

// wait polls the Instances row with back-off until the instance is done.
func (c *Client) wait(instance string, b queueBackoff, done reply) {
	c.readInstance(instance, func(row instanceRow, found bool, err error) {
		if err == nil && !found && !c.started[instance] {
			resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
			done(resp, resp.Refused.Err(0))
			return
		}
		if found {
			delete(c.started, instance)
		}
		if err == nil && found && row.status(instance).Done() {
			done(durable.ClientResponse{Found: true, Status: row.status(instance)}, nil)
			return
		}
		if stop := c.giveUp(instance, err); stop != nil {
			done(durable.ClientResponse{}, stop)
			return
		}
		c.After(b.miss(&c.rnd), "wait-poll", instance, func() { c.wait(instance, b, done) })
	})
}

// purge deletes a finished instance's history rows and its Instances row;
// recursive, it reads the history first and then purges the
// sub-orchestrations it created the same way (one after the other; one
// still running, or already purged, is left as it is).
func (c *Client) purge(instance string, recursive bool, done reply) {
	c.readInstance(instance, func(row instanceRow, found bool, err error) {
		if err != nil {
			done(durable.ClientResponse{}, err)
			return
		}
		if !found {
			resp := durable.ClientResponse{Refused: durable.RefusedUnknown}
			done(resp, resp.Refused.Err(0))
			return
		}
		if !row.status(instance).Done() {
			resp := durable.ClientResponse{Found: true, Status: row.status(instance), Refused: durable.RefusedNotFinished}
			done(resp, resp.Refused.Err(row.Status))
			return
		}
		c.subOrchestrations(instance, recursive, func(children []string, err error) {
			if err != nil {
				done(durable.ClientResponse{}, err)
				return
			}
			c.purgeHistory(instance, "", func(err error) {
				if err != nil {
					done(durable.ClientResponse{}, err)
					return
				}
				w := port.TableWrite{Kind: port.Delete, IfMatch: "*", Entity: port.Entity{PartitionKey: instance}}
				c.Issue(port.TableWriteOp{Table: c.n.instances, W: w}, "purge-instance-row", instance, func(cp port.Completion) {
					resp := durable.ClientResponse{Found: true, Status: row.status(instance), Purged: 1}
					if cp.Err != nil {
						done(durable.ClientResponse{}, wrap(cp.Err, "purge %s", instance))
						return
					}
					c.purgeChildren(children, &resp, func(err error) { done(resp, err) })
				})
			})
		})
	})
}

// subOrchestrations returns the sub-orchestrations an instance's history
// created (none unless recursive).
func (c *Client) subOrchestrations(instance string, recursive bool, cb func([]string, error)) {
	if !recursive {
		cb(nil, nil)
		return
	}
	c.loadHistory(instance, func(h history, err error) {
		if err != nil {
			cb(nil, wrap(err, "purge %s", instance))
			return
		}
		cb(durable.SubOrchestrations(h.events), nil)
	})
}

// purgeChildren purges children recursively, one after the other, and
// counts them in resp.Purged.
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
			cb(fmt.Errorf("original: purge of sub-orchestration %s: %w", children[0], err))
			return
		}
		c.purgeChildren(children[1:], resp, cb)
	})
}

// purgeHistory deletes the history rows a page at a time (a page of up to
// 100 rows, deleted in one batch).
func (c *Client) purgeHistory(instance, cont string, cb func(error)) {
	q := port.TableQuery{PartitionKey: instance, PageSize: port.MaxBatchOps, Continuation: cont}
	c.Issue(port.TableQueryOp{Table: c.n.history, Q: q}, "purge-history-page", instance, func(cp port.Completion) {
		if cp.Err != nil {
			cb(wrap(cp.Err, "purge %s", instance))
			return
		}
		page := cp.Result.(port.EntityPage)
		if len(page.Entities) == 0 {
			cb(nil)
			return
		}
		ws := make([]port.TableWrite, len(page.Entities))
		for i, e := range page.Entities {
			ws[i] = port.TableWrite{Kind: port.Delete, IfMatch: "*", Entity: port.Entity{PartitionKey: instance, RowKey: e.RowKey}}
		}
		c.Issue(port.TableBatch{Table: c.n.history, Writes: ws}, "purge-history-batch", instance, func(cp port.Completion) {
			if cp.Err != nil || page.Next == "" {
				cb(wrap(cp.Err, "purge %s", instance))
				return
			}
			c.purgeHistory(instance, "", cb)
		})
	})
}
