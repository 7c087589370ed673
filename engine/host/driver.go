package host

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/dflab/dflab/engine/port"
)

// ErrNilOp fails a request that carries no op (a core bug).
var ErrNilOp = errors.New("host: request without an op")

// CoreID names a core added to a Driver.
type CoreID int

// Config configures a Driver.
type Config struct {
	// Stores are the backends requests execute against.
	Stores *port.Stores
	// Middleware decorates every request where it is applied, the first
	// outermost (port.Chain): a meter, a fault injector.
	Middleware []port.Middleware
	// ActivityWorkers bounds the activities running at once (default 16).
	ActivityWorkers int
	// OnResponse receives every port.Response, on the core's goroutine.
	OnResponse func(core CoreID, r port.Response)
	// Now is the clock (default time.Now); tests may pass their own.
	Now func() time.Time
	// StreamHold is how long a stream read that finds nothing is held for
	// an append (see longpoll.go); 0 answers it at once.
	StreamHold time.Duration
	// OnHealth receives every health report a core makes (port.Ready's
	// Health), on the core's goroutine, after the driver recorded it.
	OnHealth func(core CoreID, h port.Health)
}

// Violation is a request issued before the log position it needs was
// durable (see port.Request).
type Violation struct {
	Core    string
	Request port.RequestID
	Kind    string
	Needs   port.Mark
	Durable int64
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: request %d (%s) needs %s but it is durable only to %d", v.Core, v.Request, v.Kind, v.Needs, v.Durable)
}

// Driver runs cores for real.
type Driver struct {
	cfg        Config
	exec       port.Exec    // Stores behind Middleware
	coresMu    sync.RWMutex // guards the slots of cores (Crash, Restart replace them)
	cores      []*coreRun
	activities activityPool
	ctx        context.Context
	cancel     context.CancelFunc
	wg         sync.WaitGroup // core loops
	work       sync.WaitGroup // request lanes and re-reads touching storage
	started    bool
	stopped    chan struct{} // closed by Stop: clients answer ErrStopped
	stopOnce   sync.Once
	marksMu    sync.Mutex
	marks      port.MarkBook
	violated   []Violation
	holds      holds
	healthMu   sync.Mutex
	health     map[string]UnitHealth // by unit
}

// UnitHealth is the latest health report of a unit and the core that made it.
type UnitHealth struct {
	Core string
	port.Health
}

// New returns a driver; add cores, then Start it.
func New(cfg Config) (*Driver, error) {
	if cfg.Stores == nil {
		return nil, errors.New("host: Config.Stores is nil")
	}
	if cfg.ActivityWorkers < 0 {
		return nil, fmt.Errorf("host: Config.ActivityWorkers = %d: must be 0 (default 16) or positive", cfg.ActivityWorkers)
	}
	if cfg.ActivityWorkers == 0 {
		cfg.ActivityWorkers = 16
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Driver{cfg: cfg, exec: port.Chain(cfg.Stores, cfg.Middleware...), stopped: make(chan struct{})}, nil
}

// AddCore adds a core made by factory; call it before Start.
func (d *Driver) AddCore(name string, factory func() port.Core) CoreID {
	if d.started {
		panic("host: AddCore after Start")
	}
	id := CoreID(len(d.cores))
	d.cores = append(d.cores, newCoreRun(d, id, name, factory))
	return id
}

func newCoreRun(d *Driver, id CoreID, name string, factory func() port.Core) *coreRun {
	return &coreRun{d: d, id: id, name: name, factory: factory, core: factory(), lanes: map[string]*lane{}, wake: make(chan struct{}, 1)}
}

// CoreByName returns the core added under name.
func (d *Driver) CoreByName(name string) (CoreID, bool) {
	d.coresMu.RLock()
	defer d.coresMu.RUnlock()
	for _, cr := range d.cores {
		if cr.name == name {
			return cr.id, true
		}
	}
	return 0, false
}

// Crash stops core id abruptly, as if its node died: its loop ends without
// a graceful stop, its queued inputs are dropped, and completions of its
// requests under way, its timers and its activities' results are
// discarded (a request under way may or may not have been applied). The
// core is discarded (port.Closer). A core answering a Client cannot crash.
func (d *Driver) Crash(id CoreID) error {
	d.coresMu.Lock()
	defer d.coresMu.Unlock()
	if !d.started {
		return errors.New("host: Crash before Start")
	}
	if int(id) < 0 || int(id) >= len(d.cores) {
		return fmt.Errorf("host: Crash: no core %d", id)
	}
	cr := d.cores[id]
	if cr.client != nil {
		return fmt.Errorf("host: Crash %s: the core answers a Client", cr.name)
	}
	if cr.down {
		return fmt.Errorf("host: Crash %s: already down", cr.name)
	}
	cr.down = true
	cr.cancel()
	return nil
}

// Restart starts a crashed core again: a new core from the factory it was
// added with (it recovers from storage as after a process restart), first
// given port.Started.
func (d *Driver) Restart(id CoreID) error {
	d.coresMu.Lock()
	defer d.coresMu.Unlock()
	if int(id) < 0 || int(id) >= len(d.cores) {
		return fmt.Errorf("host: Restart: no core %d", id)
	}
	old := d.cores[id]
	if !old.down {
		return fmt.Errorf("host: Restart %s: not crashed", old.name)
	}
	if d.ctx.Err() != nil {
		return ErrStopped
	}
	cr := newCoreRun(d, id, old.name, old.factory)
	d.cores[id] = cr
	d.run(cr)
	return nil
}

// Control sends call to core id and waits for the core's response to it
// (the core answers control calls, such as a graceful stop, as it answers
// a client's), until ctx ends or the core crashes.
func (d *Driver) Control(ctx context.Context, id CoreID, call port.ClientCall) (port.Response, error) {
	d.coresMu.RLock()
	if int(id) < 0 || int(id) >= len(d.cores) {
		d.coresMu.RUnlock()
		return port.Response{}, fmt.Errorf("host: Control: no core %d", id)
	}
	cr := d.cores[id]
	d.coresMu.RUnlock()
	ch := make(chan port.Response, 1)
	cr.mu.Lock()
	if cr.waiters == nil {
		cr.waiters = map[port.CallID]chan port.Response{}
	}
	cr.waiters[call.ID] = ch
	cr.mu.Unlock()
	cr.post(call)
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return port.Response{}, ctx.Err()
	case <-cr.ctx.Done():
		return port.Response{}, fmt.Errorf("host: Control %s: the core stopped", cr.name)
	}
}

// run starts cr's loop; callers hold coresMu or own the driver (Start).
func (d *Driver) run(cr *coreRun) {
	cr.ctx, cr.cancel = context.WithCancel(d.ctx)
	cr.post(port.Started{})
	d.wg.Add(1)
	go cr.loop()
}

func (d *Driver) slot(id CoreID) *coreRun {
	d.coresMu.RLock()
	defer d.coresMu.RUnlock()
	return d.cores[id]
}

// Start runs every core (each first gets port.Started) until Stop or ctx ends.
func (d *Driver) Start(ctx context.Context) {
	d.ctx, d.cancel = context.WithCancel(ctx)
	d.started = true
	d.activities.start(d.cfg.ActivityWorkers)
	go func() { <-d.ctx.Done(); d.activities.stop() }()
	d.coresMu.Lock()
	defer d.coresMu.Unlock()
	for _, cr := range d.cores {
		d.run(cr)
	}
}

// Deliver feeds an input to a core.
func (d *Driver) Deliver(id CoreID, in port.Input) { d.slot(id).post(in) }

// Call feeds a client call to a core.
func (d *Driver) Call(id CoreID, call port.ClientCall) { d.slot(id).post(call) }

// Stop ends every core loop and waits for them and for storage requests
// under way (so the caller may close the stores); activities still running
// finish in the background and their completions are dropped.
// Client calls waiting then, and any made after, return ErrStopped.
func (d *Driver) Stop() {
	d.stopOnce.Do(func() { close(d.stopped) })
	if d.cancel != nil {
		d.cancel()
	}
	d.activities.stop()
	d.wg.Wait()
	d.work.Wait()
}

// Violations lists outbox-rule violations seen so far.
func (d *Driver) Violations() []Violation {
	d.marksMu.Lock()
	defer d.marksMu.Unlock()
	return append([]Violation(nil), d.violated...)
}

// Health lists the latest health report of every unit, by unit name.
func (d *Driver) Health() []UnitHealth {
	d.healthMu.Lock()
	defer d.healthMu.Unlock()
	out := make([]UnitHealth, 0, len(d.health))
	for _, h := range d.health {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit < out[j].Unit })
	return out
}

func (d *Driver) reportHealth(cr *coreRun, hs []port.Health) {
	d.healthMu.Lock()
	if d.health == nil {
		d.health = map[string]UnitHealth{}
	}
	for _, h := range hs {
		d.health[h.Unit] = UnitHealth{Core: cr.name, Health: h}
	}
	d.healthMu.Unlock()
	if d.cfg.OnHealth != nil {
		for _, h := range hs {
			d.cfg.OnHealth(cr.id, h)
		}
	}
}

// Durable is how far log is durable according to completed requests.
func (d *Driver) Durable(log string) (int64, bool) {
	d.marksMu.Lock()
	defer d.marksMu.Unlock()
	return d.marks.Durable(log)
}

func (d *Driver) now() port.Time { return port.Time(d.cfg.Now().UnixNano()) }

func (d *Driver) checkNeeds(cr *coreRun, req *port.Request) {
	if req.Needs.IsZero() {
		return
	}
	d.marksMu.Lock()
	defer d.marksMu.Unlock()
	if ok, have := d.marks.Satisfied(req.Needs); !ok {
		d.violated = append(d.violated, Violation{Core: cr.name, Request: req.ID, Kind: string(req.Op.Kind()), Needs: req.Needs, Durable: have})
	}
}

func (d *Driver) made(m port.Mark) {
	if m.IsZero() {
		return
	}
	d.marksMu.Lock()
	d.marks.Made(m)
	d.marksMu.Unlock()
}
