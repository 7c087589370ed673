package nats

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/dflab/dflab/engine/port"
)

// readMaxBytes bounds one read's answer (the server stops early past it).
const readMaxBytes = 8 << 20

// directGet is JetStream's batched direct get request.
type directGet struct {
	Seq      uint64 `json:"seq"`
	Batch    int    `json:"batch"`
	MaxBytes int    `json:"max_bytes"`
}

// Read implements port.Stream with one batched direct get. It starts one
// record before from (when from > 0) so that the answer's end-of-batch
// marker, which carries the stream's last sequence, comes back even when
// nothing follows from; that record is dropped.
func (s *Stream) Read(ctx context.Context, p int, from int64, max int) (port.Records, error) {
	if err := port.ValidPartition(p, s.opt.Partitions); err != nil {
		return port.Records{}, err
	}
	if err := port.ValidRead(from, max); err != nil {
		return port.Records{}, err
	}
	start, skip := uint64(from)+1, 0
	if from > 0 {
		start, skip = uint64(from), 1
	}
	var msgs []*nats.Msg
	var last uint64
	var found bool
	err := retryIdempotent(ctx, func(ctx context.Context) (err error) {
		msgs, last, found, err = s.directGet(ctx, p, directGet{Seq: start, Batch: max + skip, MaxBytes: readMaxBytes})
		return err
	})
	if err != nil {
		return port.Records{}, fmt.Errorf("nats read p%d: %w", p, err)
	}
	if !found { // nothing at start: ask the stream for its length
		err := retryIdempotent(ctx, func(ctx context.Context) error {
			info, err := s.js.Stream(ctx, s.streamName(p))
			if err == nil {
				last = info.CachedInfo().State.LastSeq
			}
			return err
		})
		if err != nil {
			return port.Records{}, mapErr(err, "read", p)
		}
	}
	out := port.Records{First: from, End: int64(last), Records: [][]byte{}}
	for _, m := range msgs {
		seq, err := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
		if err != nil {
			return port.Records{}, fmt.Errorf("nats read p%d: bad Nats-Sequence %q", p, m.Header.Get("Nats-Sequence"))
		}
		if seq < uint64(from)+1 {
			continue // the record before from
		}
		if want := uint64(from) + 1 + uint64(len(out.Records)); seq != want {
			return port.Records{}, fmt.Errorf("nats read p%d: sequence %d where %d was due (a gap in the stream)", p, seq, want)
		}
		out.Records = append(out.Records, m.Data)
	}
	if len(out.Records) > max {
		out.Records = out.Records[:max]
	}
	return out, nil
}

// directGet sends a batched direct get and collects the messages until
// the end-of-batch marker. found is false if no message was at req.Seq
// (or after it); last is the stream's last sequence, from the marker.
func (s *Stream) directGet(ctx context.Context, p int, req directGet) (msgs []*nats.Msg, last uint64, found bool, err error) {
	inbox := s.nc.NewRespInbox()
	sub, err := s.nc.SubscribeSync(inbox)
	if err != nil {
		return nil, 0, false, err
	}
	defer func() { _ = sub.Unsubscribe() }()
	body, err := json.Marshal(req)
	if err != nil {
		return nil, 0, false, err
	}
	subj := "$JS.API.DIRECT.GET." + s.streamName(p)
	if err := s.nc.PublishRequest(subj, inbox, body); err != nil {
		return nil, 0, false, err
	}
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return nil, 0, false, err
		}
		switch status := m.Header.Get("Status"); status {
		case "":
			msgs = append(msgs, m)
		case "204": // end of batch
			// The marker names the last sequence sent and how many
			// messages follow it.
			sent, err1 := strconv.ParseUint(m.Header.Get("Nats-Last-Sequence"), 10, 64)
			pending, err2 := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
			if err1 != nil || err2 != nil {
				return nil, 0, false, fmt.Errorf("bad end-of-batch marker %v", m.Header)
			}
			return msgs, sent + pending, true, nil
		case "404":
			return nil, 0, false, nil
		default:
			return nil, 0, false, fmt.Errorf("direct get: status %s %s", status, m.Header.Get("Description"))
		}
	}
}
