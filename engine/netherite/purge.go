package netherite

import (
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// purgeGroup is a recursive purge: the purge of its instance, then of the
// sub-orchestrations each purged instance's history created (the
// partitions answer a purge with them), wherever they live. The call is
// answered with the first purge's answer once every purge has answered.
type purgeGroup struct {
	call     port.CallID
	answered bool // the instance's own purge answered
	resp     durable.ClientResponse
	left     int   // purges of sub-orchestrations not answered yet
	err      error // the first failure of one (refusals are not failures)
}

// purgeAnswered takes the answer r of one purge of g (request id) with
// the purged instance's sub-orchestrations.
func (c *Client) purgeAnswered(g *purgeGroup, r port.Response, children []string) {
	if !g.answered {
		g.answered = true
		if r.Err != nil {
			c.Respond(r.ID, r.Resp, r.Err)
			return
		}
		g.resp, _ = r.Resp.(durable.ClientResponse)
		g.resp.Purged = 1
	} else {
		g.left--
		var refused bool
		if cr, ok := r.Resp.(durable.ClientResponse); ok {
			refused = cr.Refused != durable.NotRefused
		}
		switch {
		case r.Err == nil:
			g.resp.Purged++
		case refused || errors.Is(r.Err, durable.ErrUnknownInstance) || errors.Is(r.Err, durable.ErrNotFinished):
			// already purged, or still running: left as it is
		case g.err == nil:
			g.err = r.Err
		}
	}
	for _, child := range children {
		c.purgeChild(g, child)
	}
	if g.left > 0 {
		return
	}
	if g.err != nil {
		c.Respond(g.call, nil, fmt.Errorf("purge of a sub-orchestration: %w", g.err))
		return
	}
	c.Respond(g.call, g.resp, nil)
}

// purgeChild sends the purge of sub-orchestration child as a part of g.
func (c *Client) purgeChild(g *purgeGroup, child string) {
	p := durable.Partition(child, c.cfg.Partitions)
	if reason, ok := c.down[p]; ok {
		if g.err == nil {
			g.err = partitionFailed(p, reason)
		}
		return
	}
	c.seq++
	g.left++
	c.calls[c.seq], c.callsOn[c.seq], c.purges[c.seq] = g.call, p, g
	c.queued[p] = append(c.queued[p], clientReq{ID: c.seq, Req: durable.ClientRequest{Kind: durable.RequestPurge, Instance: child}})
}
