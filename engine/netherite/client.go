package netherite

import (
	"errors"
	"fmt"
	"sort"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Client is the client core (a port.Core): it turns port.ClientCall{Req:
// durable.ClientRequest} into appends to the owning partition's stream and
// answers port.Response{Resp: durable.ClientResponse} when the partition's
// response arrives on the client's own stream partition. A RequestWait is
// answered when the instance finishes. It keeps nothing durable.
type Client struct {
	cfg    *Config
	c      int
	stream int
	k      Knobs
	reactor.Reactor[clientStep]

	seq     uint64
	calls   map[uint64]port.CallID
	callsOn map[uint64]int      // by request id: the partition it went to
	down    map[int]string      // partitions that failed, with the reason
	broken  error               // the client's own stream cannot be read
	queued  map[int][]clientReq // per partition, not yet sent
	retry   map[int][]clientReq // per partition, a record to append again as it was
	sending map[int]bool
	// groups are the queries fanned out to every partition, by the
	// request id of each partition's part.
	groups map[uint64]*queryGroup
	// purges are the recursive purges under way, by the request id of
	// each of their purges.
	purges map[uint64]*purgeGroup

	in inputReader
}

// queryGroup is one instance query sent to every partition: the answer
// merges their pages (or is the first part's error).
type queryGroup struct {
	call  port.CallID
	q     durable.InstanceQuery
	left  int
	pages []durable.InstancePage
	done  bool
}

// NewClient returns client core c (0..Clients-1).
func NewClient(cfg *Config, c int) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if c < 0 || c >= cfg.Clients {
		return nil, fmt.Errorf("client %d: allowed 0..%d", c, cfg.Clients-1)
	}
	return &Client{cfg: cfg, c: c, stream: cfg.Partitions + c, k: cfg.Knobs.withDefaults(),
		calls: map[uint64]port.CallID{}, callsOn: map[uint64]int{}, down: map[int]string{}, queued: map[int][]clientReq{}, retry: map[int][]clientReq{}, sending: map[int]bool{},
		groups: map[uint64]*queryGroup{}, purges: map[uint64]*purgeGroup{}, Reactor: reactor.New[clientStep](reactor.PerKind), in: inputReader{seen: map[int]int64{}}}, nil
}

// Step implements port.Core.
func (c *Client) Step(now port.Time, in port.Input) {
	c.SetNow(now)
	switch v := in.(type) {
	case port.Started:
		// A new life numbers its requests from the clock, above every number
		// an earlier life used: partitions drop batches whose position they
		// have seen from this origin, and old responses still in the client's
		// stream must not match new calls.
		if base := uint64(max(now, 0)); base > c.seq {
			c.seq = base
		}
	case port.ClientCall:
		if d, ok := v.Req.(PartitionDown); ok {
			c.partitionDown(d)
			break
		}
		c.call(v)
	default:
		c.Dispatch(now, in, c.run)
	}
	c.send()
	c.read()
}

func (c *Client) call(v port.ClientCall) {
	req, ok := v.Req.(durable.ClientRequest)
	if !ok {
		c.Respond(v.ID, nil, fmt.Errorf("client call %d: Req is %T, want durable.ClientRequest", v.ID, v.Req))
		return
	}
	if req.Kind < durable.RequestStart || req.Kind > durable.RequestLast {
		c.Respond(v.ID, nil, fmt.Errorf("client call %d: request kind %d: allowed start..%s", v.ID, req.Kind, durable.RequestLast))
		return
	}
	if err := req.Reuse.Validate(); err != nil {
		c.Respond(v.ID, nil, fmt.Errorf("client call %d: %w", v.ID, err))
		return
	}
	if err := durable.CheckPayload(req.Kind.String()+" "+req.Instance+" payload", req.Payload); err != nil {
		c.Respond(v.ID, nil, fmt.Errorf("client call %d: %w", v.ID, err))
		return
	}
	if req.Kind == durable.RequestQuery {
		c.query(v.ID, req)
		return
	}
	c.seq++
	if req.Instance == "" && req.Kind == durable.RequestStart {
		req.Instance = fmt.Sprintf("c%d-%d", c.c, c.seq)
	}
	if req.Instance == "" {
		c.Respond(v.ID, nil, fmt.Errorf("client call %d: %s needs an Instance", v.ID, req.Kind))
		return
	}
	p := durable.Partition(req.Instance, c.cfg.Partitions)
	if c.broken != nil {
		c.Respond(v.ID, nil, c.broken)
		return
	}
	if reason, ok := c.down[p]; ok {
		c.Respond(v.ID, nil, partitionFailed(p, reason))
		return
	}
	c.calls[c.seq] = v.ID
	c.callsOn[c.seq] = p
	if req.Kind == durable.RequestPurge && !req.OnlyThis {
		c.purges[c.seq] = &purgeGroup{call: v.ID}
	}
	c.queued[p] = append(c.queued[p], clientReq{ID: c.seq, Req: req})
}

// query fans an instance query out to every partition, as Netherite's
// queries do: each answers with its page, and the answer merges them.
func (c *Client) query(call port.CallID, req durable.ClientRequest) {
	q, err := durable.DecodeQuery(req)
	if err == nil {
		err = c.broken
	}
	for p := 0; p < c.cfg.Partitions && err == nil; p++ {
		if reason, ok := c.down[p]; ok {
			err = partitionFailed(p, reason)
		}
	}
	if err != nil {
		c.Respond(call, nil, fmt.Errorf("client call %d: %w", call, err))
		return
	}
	g := &queryGroup{call: call, q: q, left: c.cfg.Partitions}
	for p := 0; p < c.cfg.Partitions; p++ {
		c.seq++
		c.calls[c.seq], c.callsOn[c.seq], c.groups[c.seq] = call, p, g
		c.queued[p] = append(c.queued[p], clientReq{ID: c.seq, Req: req})
	}
}

// reply answers the call of request id with r; a query's part waits for
// the other partitions' (the first error answers the whole query), and a
// recursive purge for the purges of the sub-orchestrations (children)
// each purge found.
func (c *Client) reply(id uint64, r port.Response, children []string) {
	if pg := c.purges[id]; pg != nil {
		delete(c.purges, id)
		c.purgeAnswered(pg, r, children)
		return
	}
	g := c.groups[id]
	if g == nil {
		c.Respond(r.ID, r.Resp, r.Err)
		return
	}
	delete(c.groups, id)
	if g.done {
		return
	}
	if r.Err != nil {
		g.done = true
		c.Respond(g.call, nil, r.Err)
		return
	}
	if cr, ok := r.Resp.(durable.ClientResponse); ok && cr.Page != nil {
		g.pages = append(g.pages, *cr.Page)
	}
	if g.left--; g.left > 0 {
		return
	}
	g.done = true
	page := durable.MergePages(g.q, g.pages)
	for i := range page.Instances {
		page.Instances[i] = page.Instances[i].WithFailure(page.Instances[i].Failure) // partitions carry the encoded details
	}
	c.Respond(g.call, durable.ClientResponse{Found: true, Page: &page}, nil)
}

// PartitionDown tells a client core (as a port.ClientCall's Req, which it
// does not answer) that partition Partition failed for good with Reason
// (its port.Health report): the calls waiting for it and every later call
// for an instance on it fail with ErrPartitionFailed instead of waiting.
type PartitionDown struct {
	Partition int
	Reason    string
}

// ErrPartitionFailed is wrapped by the errors of calls for instances on a
// partition that failed (see PartitionDown).
var ErrPartitionFailed = errors.New("partition failed")

func partitionFailed(p int, reason string) error {
	return fmt.Errorf("%w: partition %d: %s", ErrPartitionFailed, p, reason)
}

func (c *Client) partitionDown(d PartitionDown) {
	if _, ok := c.down[d.Partition]; ok || d.Partition < 0 || d.Partition >= c.cfg.Partitions {
		return
	}
	c.down[d.Partition] = d.Reason
	delete(c.queued, d.Partition)
	delete(c.retry, d.Partition)
	ids := make([]uint64, 0, len(c.calls))
	for id := range c.calls {
		if c.callsOn[id] == d.Partition {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		c.reply(id, port.Response{ID: c.calls[id], Err: partitionFailed(d.Partition, d.Reason)}, nil)
		delete(c.calls, id)
		delete(c.callsOn, id)
	}
}

// send appends, per partition with no append in flight, one record with
// the queued requests that fit half a stream append (the rest go next);
// its position is its last request's id. A record whose append failed is
// appended again as it was, alone: the failure may have been ambiguous (the
// record landed), and the partition drops a record whose position it has
// seen, so a retry must not carry requests the first record did not have
// (it would give them the position of the newest and the old ones would be
// applied twice).
func (c *Client) send() {
	parts := make([]int, 0, len(c.queued)+len(c.retry))
	for p := range c.queued {
		if !c.sending[p] && c.retry[p] == nil {
			parts = append(parts, p)
		}
	}
	for p := range c.retry {
		if _, down := c.down[p]; down {
			delete(c.retry, p) // its calls failed already
			continue
		}
		if !c.sending[p] {
			parts = append(parts, p)
		}
	}
	sort.Ints(parts)
	for _, p := range parts {
		reqs := c.retry[p]
		if reqs != nil {
			delete(c.retry, p)
		} else {
			queued := c.queued[p]
			n := takeRequests(queued, port.MaxStreamBatchBytes/2)
			reqs = queued[:n:n]
			if n == len(queued) {
				delete(c.queued, p)
			} else {
				c.queued[p] = queued[n:] // sent after this append
			}
		}
		b := batch{Origin: c.stream, Pos: int64(reqs[len(reqs)-1].ID), Requests: reqs}
		e := enc{}
		b.encode(&e)
		c.sending[p] = true
		c.Issue(port.StreamAppend{Partition: p, Records: [][]byte{e.b}}, requestsSent{p: p, reqs: reqs})
	}
}

// requestsSent: the append of reqs to partition p's stream came back
// (failed: they are sent again).
type requestsSent struct {
	p    int
	reqs []clientReq
}

func (requestsSent) Then() reactor.Then { return reactor.Then{Step: "sent"} }

func (k requestsSent) step(c *Client, o reactor.Outcome) {
	c.sending[k.p] = false
	if cp := o.Completion; cp.Err != nil {
		c.cfg.logf("netherite client %d: append to partition %d: %v (retrying)", c.c, k.p, cp.Err)
		c.retry[k.p] = k.reqs
	}
}

// takeRequests is how many of reqs (at least one) go in one stream record
// of about max bytes (a stream append holds at most MaxStreamBatchBytes).
func takeRequests(reqs []clientReq, max int) int {
	size := 0
	for i, r := range reqs {
		size += len(r.Req.Payload) + len(r.Req.Instance) + len(r.Req.Name) + 32
		if size > max && i > 0 {
			return i
		}
	}
	return len(reqs)
}

// read polls the client's stream while calls are outstanding.
func (c *Client) read() {
	r := &c.in
	if r.reading || r.waiting || len(c.calls) == 0 {
		return
	}
	r.reading = true
	c.Issue(port.StreamRead{Partition: c.stream, From: r.pos, Max: c.k.MaxReadRecords}, responsesRead{})
}

// responsesRead: a read of the client's stream came back: answer the
// calls its responses are for.
type responsesRead struct{}

func (responsesRead) Then() reactor.Then { return reactor.Then{Step: "read"} }

func (responsesRead) step(c *Client, o reactor.Outcome) {
	r, cp := &c.in, o.Completion
	r.reading = false
	recs, _ := cp.Result.(port.Records)
	if errors.Is(cp.Err, port.ErrCorrupt) {
		c.streamBroken(cp.Err)
		return
	}
	if cp.Err != nil || len(recs.Records) == 0 {
		r.waiting = true
		c.After(c.k.PollInterval, responsesReadAgain{})
		return
	}
	r.pos = recs.First + int64(len(recs.Records))
	for _, rec := range recs.Records {
		b, err := decodeBatch(rec)
		if err != nil {
			c.cfg.logf("netherite client %d: response record dropped: %v", c.c, err)
			continue
		}
		c.answer(b.Responses)
	}
}

// responsesReadAgain: the poll interval after an empty read has passed.
type responsesReadAgain struct{}

func (responsesReadAgain) Then() reactor.Then { return reactor.Then{Step: "read-again"} }

func (responsesReadAgain) step(c *Client, _ reactor.Outcome) { c.in.waiting = false }

// clientStep is a Client's continuation: what it does with the outcome of
// a stream request or timer, as data.
type clientStep interface {
	reactor.Cont
	step(c *Client, o reactor.Outcome)
}

// run takes a continuation's step (the Client's reactor dispatches to it).
func (c *Client) run(k clientStep, o reactor.Outcome) { k.step(c, o) }

func (c *Client) answer(rs []clientResp) {
	for _, r := range rs {
		id, ok := c.calls[r.ID]
		if !ok {
			continue // a duplicate after a partition recovered
		}
		delete(c.calls, r.ID)
		delete(c.callsOn, r.ID)
		resp := r.Resp
		resp.Status = resp.Status.WithFailure(resp.Status.Failure) // partitions carry the encoded details
		c.reply(r.ID, port.Response{ID: id, Resp: resp, Err: resp.Refused.Err(resp.Status.Status)}, r.Children)
	}
}

// streamBroken fails every call, now and later: the responses to them
// come on the client's stream, which cannot be read.
func (c *Client) streamBroken(err error) {
	c.broken = fmt.Errorf("netherite client %d: its response stream (partition %d) cannot be read: %w", c.c, c.stream, err)
	c.cfg.logf("%v", c.broken)
	ids := make([]uint64, 0, len(c.calls))
	for id := range c.calls {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		c.reply(id, port.Response{ID: c.calls[id], Err: c.broken}, nil)
		delete(c.calls, id)
		delete(c.callsOn, id)
	}
	clear(c.queued)
	clear(c.retry)
}
