package nats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/dflab/dflab/engine/port"
)

// Options configure a Stream.
type Options struct {
	// URL of a NATS server with JetStream; empty starts an embedded server
	// keeping its data in Dir.
	URL string
	// Dir is the embedded server's store directory (required without URL).
	Dir string
	// Name names the stream: partition i is JetStream stream Name_p<i> on
	// subject Name.p<i>. 1..32 of [A-Za-z0-9_-]; empty means "dflab".
	Name string
	// Partitions is the number of partitions, 1..1024. It is fixed per
	// stream: reopening with fewer ignores the others.
	Partitions int
	// Replicas is how many servers of a JetStream cluster keep each
	// partition and the cursors (1..5; 0 means 1). Every process opening
	// the stream must ask for the same.
	Replicas int
	// NoFsync turns off the embedded server's fsync of every write.
	NoFsync bool
	// Memory keeps records in memory (benchmarks; not durable).
	Memory bool
	// MaxInflight bounds concurrent appends per Stream; 0 means 32.
	MaxInflight int
	// MaxBatchRecords is the server's atomic batch limit in records; 0
	// means 10000 with the embedded server and 1000 (the NATS default)
	// with a URL. Larger appends fail with ErrTooLarge.
	MaxBatchRecords int
}

// Stream implements port.Stream and port.Cursors on JetStream.
type Stream struct {
	opt      Options
	embedded *EmbeddedServer
	nc       *nats.Conn
	js       jetstream.JetStream
	cursors  jetstream.KeyValue
	slots    chan struct{}
}

var (
	_ port.Stream  = (*Stream)(nil)
	_ port.Cursors = (*Stream)(nil)
)

func (o *Options) check() error {
	if o.Name == "" {
		o.Name = "dflab"
	}
	if len(o.Name) > 32 {
		return port.BadRequest("Options.Name", fmt.Sprintf("%q", o.Name), "1..32 of [A-Za-z0-9_-]")
	}
	for _, c := range o.Name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return port.BadRequest("Options.Name", fmt.Sprintf("%q", o.Name), "1..32 of [A-Za-z0-9_-]")
		}
	}
	if o.Partitions < 1 || o.Partitions > 1024 {
		return port.BadRequest("Options.Partitions", o.Partitions, "1..1024")
	}
	if o.URL == "" && o.Dir == "" {
		return port.BadRequest("Options.Dir", `""`, "a directory for the embedded server (or set Options.URL)")
	}
	if o.Replicas < 0 || o.Replicas > 5 {
		return port.BadRequest("Options.Replicas", o.Replicas, "1..5 (0: 1)")
	}
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	if o.MaxInflight < 0 || o.MaxBatchRecords < 0 {
		return port.BadRequest("Options.MaxInflight/MaxBatchRecords", fmt.Sprintf("%d/%d", o.MaxInflight, o.MaxBatchRecords), ">= 0")
	}
	if o.MaxInflight == 0 {
		o.MaxInflight = 32
	}
	if o.MaxBatchRecords == 0 {
		o.MaxBatchRecords = 1000
		if o.URL == "" {
			o.MaxBatchRecords = embeddedMaxBatch
		}
	}
	return nil
}

// Open connects to (or starts) the server and creates the partitions'
// streams and the cursor bucket if they do not exist.
func Open(ctx context.Context, opt Options) (*Stream, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	s := &Stream{opt: opt, slots: make(chan struct{}, opt.MaxInflight)}
	url := opt.URL
	if url == "" {
		e, err := StartEmbedded(opt.Dir, !opt.NoFsync)
		if err != nil {
			return nil, err
		}
		s.embedded, url = e, e.URL()
	}
	if err := s.setup(ctx, url); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Stream) setup(ctx context.Context, url string) error {
	nc, err := nats.Connect(url, nats.Name("dflab-stream"), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("nats: connect: %w", err)
	}
	s.nc = nc
	if s.js, err = jetstream.New(nc); err != nil {
		return fmt.Errorf("nats: jetstream: %w", err)
	}
	storage := jetstream.FileStorage
	if s.opt.Memory {
		storage = jetstream.MemoryStorage
	}
	for p := 0; p < s.opt.Partitions; p++ {
		cfg := jetstream.StreamConfig{
			Name:               s.streamName(p),
			Subjects:           []string{s.subject(p)},
			Storage:            storage,
			Retention:          jetstream.LimitsPolicy,
			MaxMsgs:            -1,
			MaxBytes:           -1,
			Replicas:           s.opt.Replicas,
			AllowDirect:        true,
			AllowAtomicPublish: true,
		}
		err := retryAdmin(ctx, func(ctx context.Context) error {
			_, err := s.js.CreateOrUpdateStream(ctx, cfg)
			return err
		})
		if err != nil {
			return fmt.Errorf("nats: create stream %s: %w", s.streamName(p), err)
		}
	}
	err = retryAdmin(ctx, func(ctx context.Context) error {
		kv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: s.opt.Name + "_cursors", Storage: storage, History: 1, Replicas: s.opt.Replicas,
		})
		s.cursors = kv
		return err
	})
	if err != nil {
		return fmt.Errorf("nats: create cursor bucket: %w", err)
	}
	return nil
}

// adminAttempt bounds one stream or bucket creation request. In a
// JetStream cluster the meta leader answers only one of several identical
// creations proposed at once (nats-server #3677, nats.go #949: the others
// time out although the stream exists), as when the workers of a cluster
// start together; a retried request finds the stream and succeeds.
const adminAttempt = 3 * time.Second

// retryAdmin runs op with a per-attempt deadline until it succeeds, fails
// otherwise than by that deadline, or ctx ends.
func retryAdmin(ctx context.Context, op func(context.Context) error) error {
	return retryBounded(ctx, adminAttempt, op)
}

// retryIdempotent runs an idempotent request (a read, a cursor's put or
// get) with a per-attempt deadline, retrying one that goes unanswered: a
// request sent to a server as it stops, or to a stream as its leader
// changes, may never be answered.
func retryIdempotent(ctx context.Context, op func(context.Context) error) error {
	return retryBounded(ctx, appendAttempt, op)
}

func retryBounded(ctx context.Context, attempt time.Duration, op func(context.Context) error) error {
	for {
		actx, cancel := context.WithTimeout(ctx, attempt)
		err := op(actx)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
}

func (s *Stream) streamName(p int) string { return s.opt.Name + "_p" + strconv.Itoa(p) }
func (s *Stream) subject(p int) string    { return s.opt.Name + ".p" + strconv.Itoa(p) }

// Close closes the connection and stops the embedded server, if any.
func (s *Stream) Close() {
	if s.nc != nil {
		_ = s.nc.Drain()
		s.nc.Close()
	}
	if s.embedded != nil {
		s.embedded.Stop()
	}
}

// Partitions implements port.Stream.
func (s *Stream) Partitions(context.Context) (int, error) { return s.opt.Partitions, nil }

// Append implements port.Stream.
func (s *Stream) Append(ctx context.Context, p int, records [][]byte) (int64, error) {
	if err := port.ValidPartition(p, s.opt.Partitions); err != nil {
		return 0, err
	}
	if err := port.ValidAppend(records); err != nil {
		return 0, err
	}
	if len(records) > s.opt.MaxBatchRecords {
		return 0, fmt.Errorf("%w: stream batch of %d records, the server's atomic batch limit is %d",
			port.ErrTooLarge, len(records), s.opt.MaxBatchRecords)
	}
	select { // back-pressure: at most MaxInflight appends in flight
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return 0, fmt.Errorf("nats append p%d: %w", p, ctx.Err())
	}
	defer func() { <-s.slots }()
	if len(records) == 1 {
		return s.appendOne(ctx, p, records[0])
	}
	return s.appendBatch(ctx, p, records)
}

// appendAttempt bounds one append request. A request that reaches a
// server as the stream's leader changes (a server of the cluster stopped)
// may never be answered; without a bound the caller would wait for its
// whole context.
const appendAttempt = 5 * time.Second

// appendOne publishes one record under a message id, retrying an
// unanswered request with the same id: JetStream's duplicate window
// (2 min) answers a retry of a stored message with the original's
// sequence, so the record is appended once.
func (s *Stream) appendOne(ctx context.Context, p int, record []byte) (int64, error) {
	id := nuid.Next()
	for {
		actx, cancel := context.WithTimeout(ctx, appendAttempt)
		ack, err := s.js.Publish(actx, s.subject(p), record, jetstream.WithMsgID(id))
		cancel()
		if err == nil {
			return int64(ack.Sequence) - 1, nil
		}
		if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return 0, mapErr(err, "append", p)
		}
	}
}

// flowEvery is how often an atomic batch asks for a flow-control ack.
const flowEvery = 256

// batchAck is the server's answer to a batch commit.
type batchAck struct {
	Seq   uint64 `json:"seq"`
	Count uint64 `json:"count"`
	Error *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
}

// appendBatch publishes records as one JetStream atomic batch.
func (s *Stream) appendBatch(ctx context.Context, p int, records [][]byte) (int64, error) {
	id := nuid.Next()
	subj := s.subject(p)
	for i, r := range records {
		m := nats.NewMsg(subj)
		m.Data = r
		m.Header.Set("Nats-Batch-Id", id)
		m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		last := i == len(records)-1
		if last {
			m.Header.Set("Nats-Batch-Commit", "1")
		}
		if !last && (i+1)%flowEvery != 0 {
			if err := s.nc.PublishMsg(m); err != nil {
				return 0, mapErr(err, "append", p)
			}
			continue
		}
		actx, cancel := context.WithTimeout(ctx, appendAttempt)
		resp, err := s.nc.RequestMsgWithContext(actx, m)
		cancel()
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				// Unanswered (a leader change): whether the batch was
				// committed is unknown, which is what ErrTransient says.
				return 0, fmt.Errorf("nats append p%d: %w: batch of %d unanswered after %v", p, port.ErrTransient, len(records), appendAttempt)
			}
			return 0, mapErr(err, "append", p)
		}
		if len(resp.Data) == 0 && !last {
			continue // flow-control ack: staged so far
		}
		var a batchAck
		if err := json.Unmarshal(resp.Data, &a); err != nil {
			return 0, fmt.Errorf("nats append p%d: bad answer %q: %w", p, resp.Data, err)
		}
		if a.Error != nil {
			return 0, batchErr(a, p)
		}
		if last {
			if a.Count != uint64(len(records)) || a.Seq < a.Count {
				return 0, fmt.Errorf("nats append p%d: batch ack seq %d count %d for %d records", p, a.Seq, a.Count, len(records))
			}
			return int64(a.Seq - a.Count), nil
		}
	}
	return 0, errors.New("unreachable")
}

func batchErr(a batchAck, p int) error {
	err := fmt.Errorf("nats append p%d: server error %d: %s", p, a.Error.ErrCode, a.Error.Description)
	switch a.Error.ErrCode {
	case 10199, 10054: // atomic batch too large; message exceeds maximum
		return fmt.Errorf("%w: %w", port.ErrTooLarge, err)
	}
	return err
}

// mapErr maps NATS client errors onto the port's sentinels.
func mapErr(err error, op string, p int) error {
	switch {
	case errors.Is(err, nats.ErrMaxPayload):
		return fmt.Errorf("nats %s p%d: %w: %w", op, p, port.ErrTooLarge, err)
	case errors.Is(err, jetstream.ErrStreamNotFound), errors.Is(err, jetstream.ErrNoStreamResponse):
		return fmt.Errorf("nats %s p%d: %w: %w", op, p, port.ErrNotFound, err)
	}
	return fmt.Errorf("nats %s p%d: %w", op, p, err)
}
