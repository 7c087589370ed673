package netherite

import (
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
)

// batch is one stream record: what origin (a partition, or Partitions+c
// for client c) sent to one destination at its position pos (the sender's
// commit sequence number, or a client's request counter). Receivers drop a
// batch whose pos is not above the last seen from the same origin.
type batch struct {
	Origin    int
	Pos       int64 // 0: a confirmation only (global speculation)
	Epoch     int64 // the sender's log epoch (partitions)
	Durable   int64 // the sender's durable seq when it sent this
	Messages  []durable.Message
	Requests  []clientReq
	Responses []clientResp
	// Activities are activity work items offloaded to the destination
	// (TaskScheduled messages; To is the orchestration, which gets the
	// result back as any message).
	Activities []durable.Message
	// Load is a partition's load report to the load monitor (not logged,
	// not deduplicated); Offload is the monitor's advice to a partition.
	Load    *loadInfo
	Offload *offloadCmd
}

// clientReq is a client request with the client's correlation id.
type clientReq struct {
	ID  uint64
	Req durable.ClientRequest
}

// clientResp answers the clientReq of the same ID.
type clientResp struct {
	ID   uint64
	Resp durable.ClientResponse
	// Children answers a recursive purge: the purged instance's
	// sub-orchestrations, which the client purges next.
	Children []string
}

const batchVersion = 2

func (b *batch) encode(e *enc) {
	e.uint(batchVersion)
	e.int(int64(b.Origin))
	e.int(b.Pos)
	e.int(b.Epoch)
	e.int(b.Durable)
	e.messages(b.Messages)
	e.uint(uint64(len(b.Requests)))
	for i := range b.Requests {
		r := &b.Requests[i]
		e.uint(r.ID)
		// The same bytes as the kind alone for ReuseError, no version and
		// a recursive terminate.
		e.uint(uint64(r.Req.Kind) | uint64(r.Req.Reuse)<<8 | boolBit(r.Req.Version != "")<<16 | boolBit(r.Req.OnlyThis)<<17 | boolBit(r.Req.StartAt != 0)<<18)
		e.str(r.Req.Instance)
		e.str(r.Req.Name)
		e.bytes(r.Req.Payload)
		if r.Req.Version != "" {
			e.str(r.Req.Version)
		}
		if r.Req.StartAt != 0 {
			e.int(r.Req.StartAt)
		}
	}
	e.uint(uint64(len(b.Responses)))
	for i := range b.Responses {
		r := &b.Responses[i]
		e.uint(r.ID)
		e.uint(boolBit(r.Resp.Found) | uint64(r.Resp.Refused)<<1 | boolBit(r.Resp.Page != nil)<<7 | boolBit(len(r.Children) > 0)<<8) // a bool's byte when not refused
		encodeStatus(e, &r.Resp.Status)
		if len(r.Children) > 0 {
			e.uint(uint64(len(r.Children)))
			for _, c := range r.Children {
				e.str(c)
			}
		}
		if p := r.Resp.Page; p != nil {
			e.uint(uint64(len(p.Instances)))
			for i := range p.Instances {
				encodeStatus(e, &p.Instances[i])
			}
			e.str(p.ContinuationToken)
		}
	}
	e.messages(b.Activities)
	e.bool(b.Load != nil)
	if b.Load != nil {
		b.Load.encode(e)
	}
	e.bool(b.Offload != nil)
	if b.Offload != nil {
		e.int(int64(b.Offload.Dest))
		e.int(int64(b.Offload.N))
		e.int(b.Offload.At)
	}
}

func decodeBatch(p []byte) (batch, error) {
	b, n, err := decodeBatchPrefix(p)
	if err == nil && n != len(p) {
		err = fmt.Errorf("%w: %d trailing bytes after a batch", ErrCorrupt, len(p)-n)
	}
	return b, err
}

// decodeBatchPrefix decodes a batch from the front of p and returns the
// bytes it used.
func decodeBatchPrefix(p []byte) (batch, int, error) {
	d := dec{b: p}
	var b batch
	if v := d.uint(); d.err == nil && v != batchVersion {
		return b, 0, fmt.Errorf("%w: batch version %d, want %d", ErrCorrupt, v, batchVersion)
	}
	b.Origin = int(d.int())
	b.Pos = d.int()
	b.Epoch = d.int()
	b.Durable = d.int()
	b.Messages = d.messages()
	for n := d.count(); n > 0 && d.err == nil; n-- {
		var r clientReq
		r.ID = d.uint()
		k := d.uint()
		r.Req.Kind, r.Req.Reuse, r.Req.OnlyThis = durable.RequestKind(k&0xff), durable.ReusePolicy(k>>8&0xff), k&(1<<17) != 0
		r.Req.Instance = d.str()
		r.Req.Name = d.str()
		r.Req.Payload = d.bytes()
		if k&(1<<16) != 0 {
			r.Req.Version = d.str()
		}
		if k&(1<<18) != 0 {
			r.Req.StartAt = d.int()
		}
		b.Requests = append(b.Requests, r)
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		var r clientResp
		r.ID = d.uint()
		f := d.uint()
		r.Resp.Found, r.Resp.Refused = f&1 != 0, durable.Refusal(f>>1&0x3f)
		r.Resp.Status = decodeStatus(&d)
		if f&(1<<8) != 0 {
			for n := d.count(); n > 0 && d.err == nil; n-- {
				r.Children = append(r.Children, d.str())
			}
		}
		if f&(1<<7) != 0 {
			p := &durable.InstancePage{}
			for n := d.count(); n > 0 && d.err == nil; n-- {
				p.Instances = append(p.Instances, decodeStatus(&d))
			}
			p.ContinuationToken = d.str()
			r.Resp.Page = p
		}
		b.Responses = append(b.Responses, r)
	}
	b.Activities = d.messages()
	if d.bool() {
		b.Load = decodeLoad(&d)
	}
	if d.bool() {
		b.Offload = &offloadCmd{Dest: int(d.int()), N: int(d.int()), At: d.int()}
	}
	return b, d.off, d.err
}

func boolBit(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

func encodeStatus(e *enc, s *durable.InstanceStatus) {
	e.str(s.InstanceID)
	e.str(s.Name)
	e.uint(uint64(s.Status))
	e.bytes(s.Input)
	e.bytes(s.Output)
	e.bytes(s.CustomStatus)
	e.str(s.Failure)
	e.int(unixNano(s.Created))
	e.int(unixNano(s.Updated))
}

func decodeStatus(d *dec) durable.InstanceStatus {
	var s durable.InstanceStatus
	s.InstanceID = d.str()
	s.Name = d.str()
	s.Status = durable.Status(d.uint())
	s.Input = d.bytes()
	s.Output = d.bytes()
	s.CustomStatus = d.bytes()
	s.Failure = d.str()
	s.Created = fromUnixNano(d.int())
	s.Updated = fromUnixNano(d.int())
	return s
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
