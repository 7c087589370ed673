package dflab

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
)

// Options choose the engine and where it keeps its state.
type Options struct {
	// Engine is "netherite" (default) or "original": a built-in system
	// (systems/builtin).
	Engine string
	// System, if set, is the system to start instead of a built-in one
	// (a researcher's own engine; Engine is then ignored).
	System *systems.System
	// Knobs are knob values of the system by their names (its
	// descriptor's Knobs); a name the system does not have is an error.
	// The engine-specific fields below set the knobs of the same meaning
	// (Partitions: partitions...) of the systems that have them.
	Knobs map[string]string
	// Storage is "mem" (default; gone when the process ends), "disk" (Dir),
	// "azure" (ConnectionString; Azurite or Azure Storage) or "postgres"
	// (ConnectionString: a PostgreSQL URL; the sql engine's database).
	Storage string
	// Transport carries Netherite's partition streams: "" (the storage's
	// own stream: mem or disk), "mem", "disk" (Dir) or "nats" (NATSURL, or
	// an embedded server keeping its data under Dir). The original engine
	// uses queues and ignores it.
	Transport string
	// Dir holds disk storage and an embedded NATS server's data, of one
	// task hub: an absent or empty directory gets a new hub (and a HubFile
	// naming Hub and Engine); a directory whose HubFile names the same Hub
	// and Engine reopens that hub (recovery); any other directory is
	// refused, so two runs never mix.
	Dir string
	// DropOnStop deletes the task hub's Azure container, queues and tables
	// (Namespace's) when the engine stops: for a run whose storage is
	// scratch, such as a harness run. Default false: they are the hub's
	// durable state.
	DropOnStop bool
	// ConnectionString is the Azure Storage or PostgreSQL connection
	// string (never logged).
	ConnectionString string
	// Namespace isolates this task hub's objects in an Azure account, or
	// names the PostgreSQL schema of the sql engine's tables (default dt).
	Namespace string
	// NATSURL is an external NATS server with JetStream ("" embeds one),
	// or several, comma-separated.
	NATSURL string
	// NATSReplicas is how many servers of a NATS cluster keep each stream
	// (0: 1).
	NATSReplicas int
	// Hub names the task hub (default "dflab").
	Hub string
	// Partitions is Netherite's partition count (knob partitions, default 12).
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
	// ClientOnly starts only the engine's client: its other cores run in
	// worker processes sharing the storage and transport (dflab worker).
	ClientOnly bool
	// Middleware decorates every storage and stream request, outermost
	// first, before the meter (so a request a fault injector fails is not
	// metered): a fault plan's injector (faults/inject).
	Middleware []port.Middleware
}

// ErrStopped is returned by client calls made after, or waiting when, the
// engine stopped (Engine.Stop).
var ErrStopped = host.ErrStopped

// Engine is a running engine.
type Engine struct {
	streams int // stream partitions the system uses
	meter   *meter.Meter
	driver  *host.Driver
	client  *host.Client
	closers []func() error
	logf    func(format string, args ...any)
	health  systems.RealHealth // nil: the system reports no health
	nodes   systems.RealNodes  // nil: the system's cores cannot crash by node
	moves   systems.RealMoves  // nil: the system's partitions cannot move
}

// MovePartition moves partition p as Netherite does, within this process:
// a graceful stop of its core (flush, checkpoint, release the lease), then
// a new core that recovers it from storage. It returns the core's name.
func (e *Engine) MovePartition(ctx context.Context, p int) (string, error) {
	if e.moves == nil {
		return "", errors.New("dflab: the system's partitions do not move")
	}
	name, stop, ok := e.moves.MoveCall(p)
	if !ok {
		return "", fmt.Errorf("dflab: no partition %d", p)
	}
	id, ok := e.driver.CoreByName(name)
	if !ok {
		return "", fmt.Errorf("dflab: no core %q", name)
	}
	r, err := e.driver.Control(ctx, id, port.ClientCall{ID: systems.ControlCalls, Req: stop})
	if err == nil {
		err = r.Err
	}
	if err != nil {
		return name, fmt.Errorf("dflab: stop %s: %w", name, err)
	}
	if err := e.driver.Crash(id); err != nil { // discard the stopped core
		return name, err
	}
	return name, e.driver.Restart(id)
}

// NodeCores names the cores each of nodes nodes hosts (node k: element k),
// for a fault plan's crash and restart of a node; ok is false if the
// system does not place its cores on nodes.
func (e *Engine) NodeCores(nodes int) (cores [][]string, ok bool) {
	if e.nodes == nil {
		return nil, false
	}
	return e.nodes.NodeCores(nodes), true
}

// CrashCore stops the named core abruptly, without a graceful stop, as if
// its node died (host.Driver.Crash).
func (e *Engine) CrashCore(name string) error {
	id, ok := e.driver.CoreByName(name)
	if !ok {
		return fmt.Errorf("dflab: no core %q", name)
	}
	return e.driver.Crash(id)
}

// RestartCore starts a crashed core again: a new life that recovers from
// storage (host.Driver.Restart).
func (e *Engine) RestartCore(name string) error {
	id, ok := e.driver.CoreByName(name)
	if !ok {
		return fmt.Errorf("dflab: no core %q", name)
	}
	return e.driver.Restart(id)
}

// Health lists the state of every unit the engine runs, by unit name:
// each Netherite partition (p00, p01...) or original-engine control queue
// (control-00...), as its core last reported it: ok, recovering,
// restarting (with the restart count and why) or failed (with the reason:
// corruption, a fatal error; calls for its instances fail with it).
func (e *Engine) Health() []port.Health {
	if e.health == nil {
		return nil
	}
	seen := map[string]port.Health{}
	for _, h := range e.driver.Health() {
		seen[h.Unit] = h.Health
	}
	units := e.health.Units()
	out := make([]port.Health, 0, len(units))
	for _, u := range units {
		h, ok := seen[u]
		if !ok {
			h = port.Health{Unit: u, State: port.HealthRecovering, Reason: "no report yet"}
		}
		out = append(out, h)
	}
	return out
}

// onHealth runs on the reporting core's goroutine: a unit that restarts
// or fails is a warning (Options.Logf), and a failed one is passed on to
// the deployment.
func (e *Engine) onHealth(_ host.CoreID, h port.Health) {
	if (h.State == port.HealthRestarting || h.State == port.HealthFailed) && e.logf != nil {
		e.logf("dflab: %s", h)
	}
	if h.State == port.HealthFailed && e.health != nil {
		e.health.Failed(e.driver, h)
	}
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

// StreamPartitions is how many stream partitions the engine uses (0: it
// uses no stream; a stream costs Event Hubs throughput units).
func (e *Engine) StreamPartitions() int { return e.streams }

// Violations lists outbox-rule violations the driver saw (none expected).
func (e *Engine) Violations() []host.Violation { return e.driver.Violations() }

// Stop stops the cores and closes the storage. Client calls waiting then,
// and any made after, return ErrStopped.
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
	e := &Engine{logf: o.Logf}
	if err := e.start(ctx, reg, o); err != nil {
		for i := len(e.closers) - 1; i >= 0; i-- {
			_ = e.closers[i]()
		}
		return nil, fmt.Errorf("dflab.Start: %w", err)
	}
	e.driver.Start(context.WithoutCancel(ctx))
	return e, nil
}

func (e *Engine) start(ctx context.Context, reg *durable.Registry, o Options) error {
	sys := o.System
	if sys == nil {
		var err error
		if sys, err = builtinSystems.Lookup(o.Engine); err != nil {
			return fmt.Errorf("Options.Engine = %q: allowed %s", o.Engine, strings.Join(builtinSystems.Names(), ", "))
		}
	}
	if sys.Real == nil {
		return fmt.Errorf("system %s runs on the simulator only", sys.Name)
	}
	knobs, err := o.knobs(sys)
	if err != nil {
		return err
	}
	dep, err := sys.Real(systems.RealConfig{Registry: reg, Hub: o.Hub, Knobs: knobs, Workers: o.Workers, Storage: o.Storage, Logf: o.Logf, ClientOnly: o.ClientOnly})
	if err != nil {
		return err
	}
	e.streams = dep.StreamPartitions()
	e.health, _ = dep.(systems.RealHealth)
	e.nodes, _ = dep.(systems.RealNodes)
	e.moves, _ = dep.(systems.RealMoves)
	if o.Dir != "" {
		if err := claimDir(o.Dir, o.Hub, sys.Name); err != nil {
			return err
		}
	}
	stores, err := e.openStores(ctx, o, e.streams)
	if err != nil {
		return err
	}
	if err := e.newDriver(stores, o); err != nil {
		return err
	}
	client, err := dep.Start(ctx, e.driver)
	if err != nil {
		return err
	}
	e.client = e.driver.NewClient(client)
	return nil
}

var builtinSystems = builtin.Systems()

// knobs are the system's knob values: the engine-specific fields set, for
// the systems that have those knobs, then Knobs.
func (o Options) knobs(sys *systems.System) (systems.Values, error) {
	if o.Visibility != 0 && (o.Visibility < time.Duration(port.MinDequeueTimeout) || o.Visibility > time.Duration(port.MaxVisibility)) {
		return nil, fmt.Errorf("Options.Visibility = %v: allowed 1s..7d (0: the default, 5 min)", o.Visibility)
	}
	v := systems.Values{}
	for _, f := range []struct {
		field, knob string
		set         bool
		value       any
	}{
		{"Partitions", "partitions", o.Partitions != 0, o.Partitions},
		{"Speculation", "speculation", o.Speculation != "", o.Speculation},
		{"PollInterval", "pollInterval", o.PollInterval > 0, o.PollInterval},
		{"ControlQueues", "controlQueues", o.ControlQueues != 0, o.ControlQueues},
		{"MaxPoll", "maxPoll", o.MaxPoll > 0, o.MaxPoll},
		{"Visibility", "visibility", o.Visibility > 0, o.Visibility},
	} {
		if _, has := sys.Knob(f.knob); !f.set || !has {
			continue
		}
		text := fmt.Sprint(f.value)
		if _, err := sys.Parse(systems.Values{f.knob: text}, systems.RunnerReal); err != nil {
			//lint:ignore ST1005 the message starts with the Go field it names
			return nil, fmt.Errorf("Options.%s = %s: %w", f.field, text, err)
		}
		v[f.knob] = text
	}
	for k, x := range o.Knobs {
		v[k] = x
	}
	if _, err := sys.Parse(v, systems.RunnerReal); err != nil {
		return nil, err
	}
	return v, nil
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
	mw := append(append([]port.Middleware(nil), o.Middleware...), e.meter.Middleware)
	d, err := host.New(host.Config{Stores: stores, Middleware: mw, ActivityWorkers: o.ActivityWorkers, StreamHold: max(o.StreamHold, 0),
		OnHealth: e.onHealth})
	if err != nil {
		return err
	}
	e.driver = d
	return nil
}
