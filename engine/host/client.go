package host

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// Client is a durable.Client for a program: it sends durable.ClientRequests
// to an engine's client core run by a Driver and blocks until the core
// answers. Both engines' client cores speak this vocabulary.
type Client struct {
	d    *Driver
	core CoreID

	mu      sync.Mutex
	next    port.CallID
	waiting map[port.CallID]chan port.Response
}

var _ durable.Client = (*Client)(nil)

// NewClient returns a client for the client core id; call it before Start.
// The core's responses go to the client (and then to Config.OnResponse).
func (d *Driver) NewClient(core CoreID) *Client {
	if d.started {
		panic("host: NewClient after Start")
	}
	c := &Client{d: d, core: core, waiting: map[port.CallID]chan port.Response{}}
	d.cores[core].client = c
	return c
}

func (c *Client) deliver(r port.Response) bool {
	c.mu.Lock()
	ch, ok := c.waiting[r.ID]
	delete(c.waiting, r.ID)
	c.mu.Unlock()
	if ok {
		ch <- r
	}
	return ok
}

// Do sends one raw request and waits for its response: the harness and
// the scenario suite speak durable.ClientRequest directly.
func (c *Client) Do(ctx context.Context, req durable.ClientRequest) (durable.ClientResponse, error) {
	return c.call(ctx, req)
}

// ErrStopped is returned by a client call made after, or waiting when, the
// driver stopped (Engine.Stop): no core will answer it.
var ErrStopped = errors.New("engine stopped")

// call sends one request and waits for its response, ctx's end or the
// driver's stop.
func (c *Client) call(ctx context.Context, req durable.ClientRequest) (durable.ClientResponse, error) {
	select {
	case <-c.d.stopped:
		return durable.ClientResponse{}, fmt.Errorf("%s %s: %w", req.Kind, req.Instance, ErrStopped)
	default:
	}
	ch := make(chan port.Response, 1)
	c.mu.Lock()
	c.next++
	id := c.next
	c.waiting[id] = ch
	c.mu.Unlock()
	c.d.Call(c.core, port.ClientCall{ID: id, Req: req})
	select {
	case r := <-ch:
		if r.Err != nil {
			return durable.ClientResponse{}, fmt.Errorf("%s %s: %w", req.Kind, req.Instance, r.Err)
		}
		resp, ok := r.Resp.(durable.ClientResponse)
		if !ok && r.Resp != nil {
			return durable.ClientResponse{}, fmt.Errorf("%s %s: the client core answered with a %T, want durable.ClientResponse", req.Kind, req.Instance, r.Resp)
		}
		return resp, nil
	case <-ctx.Done():
		c.forget(id)
		return durable.ClientResponse{}, fmt.Errorf("%s %s: %w", req.Kind, req.Instance, ctx.Err())
	case <-c.d.stopped:
		c.forget(id)
		return durable.ClientResponse{}, fmt.Errorf("%s %s: %w", req.Kind, req.Instance, ErrStopped)
	}
}

func (c *Client) forget(id port.CallID) {
	c.mu.Lock()
	delete(c.waiting, id)
	c.mu.Unlock()
}

// ErrUnknownInstance is returned for requests about an instance the engine
// does not know (durable.ErrUnknownInstance).
var ErrUnknownInstance = durable.ErrUnknownInstance

// Start implements durable.Client; without StartWithID the id is random.
func (c *Client) Start(ctx context.Context, name string, input any, opts ...durable.StartOption) (string, error) {
	o := durable.ResolveStartOptions(opts)
	payload, err := durable.ClientPayload(input)
	if err != nil {
		return "", fmt.Errorf("start %s: %w", name, err)
	}
	id := o.InstanceID
	if id == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("start %s: instance id: %w", name, err)
		}
		id = hex.EncodeToString(b[:])
	}
	if err := o.Reuse.Validate(); err != nil {
		return "", fmt.Errorf("start %s: %w", name, err)
	}
	_, err = c.call(ctx, durable.ClientRequest{Kind: durable.RequestStart, Instance: id, Name: name, Payload: payload, Reuse: o.Reuse, Version: o.Version, StartAt: startAt(o.StartAt)})
	return id, err
}

// startAt is a scheduled start's time as a request carries it (0: now).
func startAt(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// RaiseEvent implements durable.Client.
func (c *Client) RaiseEvent(ctx context.Context, instance, name string, data any) error {
	payload, err := durable.ClientPayload(data)
	if err != nil {
		return fmt.Errorf("raise %s on %s: %w", name, instance, err)
	}
	_, err = c.call(ctx, durable.ClientRequest{Kind: durable.RequestRaise, Instance: instance, Name: name, Payload: payload})
	return err
}

// SignalEntity implements durable.Client.
func (c *Client) SignalEntity(ctx context.Context, id durable.EntityID, operation string, input any) error {
	payload, err := durable.ClientPayload(input)
	if err != nil {
		return fmt.Errorf("signal %s %s: %w", id, operation, err)
	}
	_, err = c.call(ctx, durable.ClientRequest{Kind: durable.RequestSignal, Instance: id.String(), Name: operation, Payload: payload})
	return err
}

// Status implements durable.Client.
func (c *Client) Status(ctx context.Context, instance string) (durable.InstanceStatus, error) {
	return c.status(ctx, durable.RequestStatus, instance)
}

// Wait implements durable.Client.
func (c *Client) Wait(ctx context.Context, instance string) (durable.InstanceStatus, error) {
	return c.status(ctx, durable.RequestWait, instance)
}

func (c *Client) status(ctx context.Context, kind durable.RequestKind, instance string) (durable.InstanceStatus, error) {
	resp, err := c.call(ctx, durable.ClientRequest{Kind: kind, Instance: instance})
	if err != nil {
		return durable.InstanceStatus{}, err
	}
	if !resp.Found {
		return durable.InstanceStatus{}, fmt.Errorf("%s %s: %w", kind, instance, ErrUnknownInstance)
	}
	return resp.Status, nil
}

// Terminate implements durable.Client.
func (c *Client) Terminate(ctx context.Context, instance, reason string, opts ...durable.TerminateOption) error {
	payload, err := durable.Marshal(reason)
	if err != nil {
		return err
	}
	req := durable.ClientRequest{Kind: durable.RequestTerminate, Instance: instance, Payload: payload}
	for _, o := range opts {
		o(&req)
	}
	_, err = c.call(ctx, req)
	return err
}

// WaitForStart implements durable.Client: it asks for the instance's
// status until it is no longer Pending, waiting 5 ms after the first ask,
// then half again as long each time, up to 1 s.
func (c *Client) WaitForStart(ctx context.Context, instance string) (durable.InstanceStatus, error) {
	for gap := 5 * time.Millisecond; ; gap = min(gap*3/2, time.Second) {
		st, err := c.Status(ctx, instance)
		if err != nil || st.Status != durable.StatusPending {
			return st, err
		}
		t := time.NewTimer(gap)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return st, fmt.Errorf("wait for start of %s: %w", instance, ctx.Err())
		}
	}
}

// Suspend implements durable.Client.
func (c *Client) Suspend(ctx context.Context, instance, reason string) error {
	return c.lifecycle(ctx, durable.RequestSuspend, instance, reason)
}

// Resume implements durable.Client.
func (c *Client) Resume(ctx context.Context, instance, reason string) error {
	return c.lifecycle(ctx, durable.RequestResume, instance, reason)
}

func (c *Client) lifecycle(ctx context.Context, kind durable.RequestKind, instance, reason string) error {
	payload, err := durable.Marshal(reason)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, durable.ClientRequest{Kind: kind, Instance: instance, Payload: payload})
	return err
}

// Purge implements durable.Client.
func (c *Client) Purge(ctx context.Context, instance string, opts ...durable.PurgeOption) error {
	_, err := c.purge(ctx, instance, opts)
	return err
}

// purge purges one instance (and, unless opts say PurgeOnlyThis, its
// sub-orchestrations) and returns how many instances that purged.
func (c *Client) purge(ctx context.Context, instance string, opts []durable.PurgeOption) (int, error) {
	req := durable.ClientRequest{Kind: durable.RequestPurge, Instance: instance}
	for _, o := range opts {
		o(&req)
	}
	resp, err := c.call(ctx, req)
	if err != nil {
		return 0, err
	}
	return max(resp.Purged, 1), nil
}

// QueryInstances implements durable.Client.
func (c *Client) QueryInstances(ctx context.Context, q durable.InstanceQuery) (durable.InstancePage, error) {
	req, err := durable.QueryRequest(q)
	if err != nil {
		return durable.InstancePage{}, err
	}
	resp, err := c.call(ctx, req)
	if err != nil {
		return durable.InstancePage{}, err
	}
	if resp.Page == nil {
		return durable.InstancePage{}, errors.New("query: the engine answered without a page")
	}
	return *resp.Page, nil
}

// PurgeInstances implements durable.Client: it queries the finished
// instances q selects, page by page, and purges each (an instance a purge
// before it took along as a sub-orchestration is unknown by then).
func (c *Client) PurgeInstances(ctx context.Context, q durable.InstanceQuery, opts ...durable.PurgeOption) (int, error) {
	if q.Statuses = finished(q.Statuses); len(q.Statuses) == 0 {
		return 0, nil // it asks for unfinished instances only
	}
	n := 0
	for {
		page, err := c.QueryInstances(ctx, q)
		if err != nil {
			return n, err
		}
		for _, st := range page.Instances {
			purged, err := c.purge(ctx, st.InstanceID, opts)
			if err != nil && !errors.Is(err, durable.ErrUnknownInstance) {
				return n, err
			}
			n += purged
		}
		if page.ContinuationToken == "" {
			return n, nil
		}
		q.ContinuationToken = page.ContinuationToken
	}
}

// finished narrows statuses to the finished ones (none given: all of them).
func finished(statuses []durable.Status) []durable.Status {
	all := []durable.Status{durable.StatusCompleted, durable.StatusFailed, durable.StatusTerminated}
	if len(statuses) == 0 {
		return all
	}
	var out []durable.Status
	for _, s := range statuses {
		if slices.Contains(all, s) {
			out = append(out, s)
		}
	}
	return out
}
