package dflab

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
)

// Options choose the engine and where it keeps its state.
type Options struct {
	// Engine is "netherite" (default) or "original".
	Engine string
	// Storage is "mem" (default; gone when the process ends), "disk" (Dir)
	// or "azure" (ConnectionString; Azurite or Azure Storage).
	Storage string
	// Transport carries Netherite's partition streams: "" (the storage's
	// own stream: mem or disk), "mem", "disk" (Dir) or "nats" (NATSURL, or
	// an embedded server keeping its data under Dir). The original engine
	// uses queues and ignores it.
	Transport string
	// Dir holds disk storage and an embedded NATS server's data.
	Dir string
	// ConnectionString is the Azure Storage connection string (never logged).
	ConnectionString string
	// Namespace isolates this task hub's objects in an Azure account.
	Namespace string
	// NATSURL is an external NATS server with JetStream ("" embeds one).
	NATSURL string
	// Hub names the task hub (default "dflab").
	Hub string
	// Partitions is Netherite's partition count (default 12).
	Partitions int
	// Speculation is Netherite's level: none, local (default) or global.
	Speculation string
	// PollInterval is how often an idle Netherite partition or client
	// re-reads its stream (default: the engine's, 5 ms).
	PollInterval time.Duration
	// StreamHold is how long the real driver holds a stream read that finds
	// nothing, waiting for an append in this process (default 100 ms;
	// negative: answer at once and let the engine poll).
	StreamHold time.Duration
	// ControlQueues is the original engine's control queue count (default 4).
	ControlQueues int
	// Workers is the number of original-engine workers in this process
	// (default 1).
	Workers int
	// MaxPoll caps the original engine's back-off when polling empty queues
	// (default 30 s, as the provider; tests use less).
	MaxPoll time.Duration
	// Visibility is how long the original engine hides a dequeued
	// control-queue message or work item; a crashed worker's messages
	// reappear after it (1s..7d; default 5 min, as the provider).
	Visibility time.Duration
	// ActivityWorkers bounds concurrently running activities (default 2 × cores).
	ActivityWorkers int
	// Logf receives the engine's notable events (nil: dropped).
	Logf func(format string, args ...any)
}

// Engine is a running engine.
type Engine struct {
	meter   *meter.Meter
	driver  *host.Driver
	client  *host.Client
	closers []func() error
}

// Client returns the engine's client.
func (e *Engine) Client() durable.Client { return e.client }

// Do sends one raw client request and waits for the answer.
func (e *Engine) Do(ctx context.Context, req durable.ClientRequest) (durable.ClientResponse, error) {
	return e.client.Do(ctx, req)
}

// Traffic counts the storage and stream requests the engine made, per op
// kind, since it started.
func (e *Engine) Traffic() meter.Snapshot { return e.meter.Snapshot() }

// Violations lists outbox-rule violations the driver saw (none expected).
func (e *Engine) Violations() []host.Violation { return e.driver.Violations() }

// Stop stops the cores and closes the storage.
func (e *Engine) Stop() error {
	e.driver.Stop()
	var errs []error
	for i := len(e.closers) - 1; i >= 0; i-- {
		errs = append(errs, e.closers[i]())
	}
	return errors.Join(errs...)
}

func wallClock() port.Time { return port.Time(time.Now().UnixNano()) }

// Start starts an engine running the functions in reg.
func Start(ctx context.Context, reg *durable.Registry, o Options) (*Engine, error) {
	if reg == nil {
		return nil, errors.New("dflab.Start: registry is nil")
	}
	o = o.withDefaults()
	e := &Engine{}
	var err error
	switch o.Engine {
	case "netherite":
		err = e.startNetherite(ctx, reg, o)
	case "original":
		err = e.startOriginal(ctx, reg, o)
	default:
		err = fmt.Errorf("dflab.Start: Options.Engine = %q: allowed netherite, original", o.Engine)
	}
	if err != nil {
		for i := len(e.closers) - 1; i >= 0; i-- {
			_ = e.closers[i]()
		}
		return nil, err
	}
	e.driver.Start(context.WithoutCancel(ctx))
	return e, nil
}

func (o Options) withDefaults() Options {
	if o.Engine == "" {
		o.Engine = "netherite"
	}
	if o.Storage == "" {
		o.Storage = "mem"
	}
	if o.Hub == "" {
		o.Hub = "dflab"
	}
	if o.Partitions == 0 {
		o.Partitions = 12
	}
	if o.Speculation == "" {
		o.Speculation = "local"
	}
	if o.ControlQueues == 0 {
		o.ControlQueues = 4
	}
	if o.Workers == 0 {
		o.Workers = 1
	}
	if o.StreamHold == 0 {
		o.StreamHold = 100 * time.Millisecond
	}
	if o.ActivityWorkers == 0 {
		o.ActivityWorkers = 2 * runtime.NumCPU()
	}
	return o
}

func (e *Engine) newDriver(stores *port.Stores, o Options) error {
	e.meter = meter.New()
	d, err := host.New(host.Config{Stores: e.meter.Wrap(stores), ActivityWorkers: o.ActivityWorkers, StreamHold: max(o.StreamHold, 0)})
	if err != nil {
		return err
	}
	e.driver = d
	return nil
}
