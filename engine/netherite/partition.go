package netherite

import (
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// phase is where a partition core is in its life.
type phase uint8

const (
	phaseBooting    phase = iota // acquiring the lease, loading the checkpoint
	phaseReplay                  // reading and replaying the log suffix
	phaseRunning                 // processing
	phaseStopping                // a graceful stop: flushing, checkpointing, releasing the lease
	phaseStopped                 // stopped gracefully; another core may own the partition
	phaseDead                    // a fatal error (log full, corrupt checkpoint)
	phaseRestarting              // waiting to boot a new life after a storage error (restart.go)
)

// Partition is the core of one Netherite partition (a port.Core).
type Partition struct {
	cfg   *Config
	k     Knobs
	p     int
	owner string
	st    *state
	phase phase
	reactor.Reactor[partStep]
	work map[string]int

	log  commitLog
	none nonePending // speculation none: updates waiting for their flush

	readyQ  []string
	spareQ  []string // processReady's other buffer, reused for readyQ
	inReady map[string]bool
	running map[int64]bool // activities started in this life
	armed   map[int64]bool // durable timers with a port timer set
	due     map[int64]bool // durable timers whose due update was submitted

	in      inputReader
	global  globalSpec
	senders map[int]*sender
	// readOnlyAt: by seq, the read-only inputs of this life and the seq
	// their client responses need durable (readonly.go)
	readOnlyAt map[int64]int64
	report     reporter
	ckpt       checkpointer
	ckptSeq    int64 // seq of the checkpoint this life started from

	restartAt   port.Time // phaseRestarting: boot no earlier
	failedLives int       // lives in a row that ended in a storage error without progress (restart.go)
	created     bool      // this life created the log blob (it did not exist)
	reported    port.Health
	runningAt   port.Time // when this life entered phaseRunning

	standby   int       // standby rank (standby.go); 0: not a standby
	leaseWait uint64    // generation of the wait for the lease
	waiting   leaseNext // what the wait for the lease goes on with (0: none)

	stopCall port.CallID // the Stop being served
	stopCkpt bool        // its final checkpoint was taken
	stats    Stats
}

// Stats counts what a partition did in this life.
type Stats struct {
	Updates, Flushes, FlushedBytes, OrchestrationSteps, EntityBatches uint64
	ActivitiesStarted, PeakActivities, Sends, Duplicates, Checkpoints uint64
	RecoveredUpdates, Restarts, SoftRestarts, DroppedSpeculative      uint64
	Offloaded                                                         uint64 // activities sent away on the monitor's advice
	Wraps                                                             uint64 // times the circular log went on at a new lap
	TornTail                                                          bool
}

// NewPartition returns the core of partition p; owner names the lease
// holder (for example the node's name). cfg must be valid.
func NewPartition(cfg *Config, p int, owner string) (*Partition, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if p < 0 || p >= cfg.Partitions {
		return nil, fmt.Errorf("partition %d: allowed 0..%d", p, cfg.Partitions-1)
	}
	if owner == "" {
		return nil, fmt.Errorf("partition %d: owner is empty: allowed a non-empty lease owner name", p)
	}
	x := &Partition{cfg: cfg, k: cfg.Knobs.withDefaults(), p: p, owner: owner, Reactor: reactor.New[partStep](reactor.PerKind),
		work: map[string]int{}, inReady: map[string]bool{}, running: map[int64]bool{},
		armed: map[int64]bool{}, due: map[int64]bool{}, senders: map[int]*sender{}, readOnlyAt: map[int64]int64{}}
	x.setState(newState(p, cfg.Partitions))
	return x, nil
}

func (x *Partition) setState(st *state) {
	x.st = st
	st.onQueued = x.markReady
	st.onGone = func(id int64) {
		delete(x.running, id)
		delete(x.report.offloading, id)
	}
	st.skipDedup = x.k.Planted == PlantedSkipDedup
}

// Stats returns counters of this life.
func (x *Partition) Stats() Stats { return x.stats }

// Instance returns an instance's status as this partition's (possibly
// speculative) state has it, for checkers and tests.
func (x *Partition) Instance(id string) (durable.InstanceStatus, bool) { return x.st.status(id) }

// Step implements port.Core.
func (x *Partition) Step(now port.Time, in port.Input) {
	x.SetNow(now)
	switch v := in.(type) {
	case port.Started:
		x.start()
	case port.Completion:
		if errors.Is(v.Err, port.ErrCorrupt) && x.phase != phaseDead && x.Forget(v.ID) {
			// Acknowledged data cannot be read back: no life can
			// recover from it, so none is started.
			x.fail("%v", v.Err)
			break
		}
		x.Dispatch(now, in, x.runStep)
	case port.TimerFired:
		x.Dispatch(now, in, x.runStep)
	case port.ActivityDone:
		x.activityDone(v)
	case port.ClientCall:
		switch v.Req.(type) {
		case Stop:
			x.stop(v.ID)
		case TakeOver:
			x.takeOver(v.ID)
		default:
			x.Respond(v.ID, nil, fmt.Errorf("partition %d takes no client calls: send them to a client core", x.p))
		}
	}
	switch x.phase {
	case phaseRunning:
		x.pump()
	case phaseStopping:
		x.stopping()
	case phaseRestarting:
		x.maybeBoot()
	}
}

// Ready implements port.Core.
func (x *Partition) Ready() port.Ready {
	rd := x.Out()
	for _, k := range sortedKeys(x.work) {
		rd.Work = append(rd.Work, port.Work{Kind: k, N: x.work[k]})
	}
	clear(x.work)
	return *rd
}

// fail stops the partition for good (a fatal error, corruption): it is
// reported failed with the reason, and the client fails calls for its
// instances (PartitionDown).
func (x *Partition) fail(format string, args ...any) {
	x.phase = phaseDead
	reason := fmt.Sprintf(format, args...)
	x.cfg.logf("netherite p%02d: stopped: %s", x.p, reason)
	x.health(port.HealthFailed, reason)
}

// health reports the partition's state if it changed (Ready.Health).
func (x *Partition) health(st port.HealthState, reason string) {
	h := port.Health{Unit: fmt.Sprintf("p%02d", x.p), State: st, Reason: reason, Restarts: int(x.stats.Restarts)}
	if h != x.reported {
		x.reported = h
		x.Report(h)
	}
}

// submit appends an update to the commit log and applies it now (local and
// global speculation, and under none an input with nothing pending before
// it) or once it is durable (none: a step's result, and whatever follows a
// pending one). It returns the update's seq.
func (x *Partition) submit(u update) int64 {
	u.At = int64(x.Now())
	x.log.lastSeq++
	u.Seq = x.log.lastSeq
	x.log.append(&u)
	x.stats.Updates++
	x.ckpt.events++
	if x.k.Speculation == SpeculationNone && (u.stepResult() || len(x.none.updates) > 0) {
		// Only a step's result waits for its flush, as Netherite's
		// PersistStepsFirst parks only BatchProcessed; an input (a
		// received message, an activity result, a timer) applies at once
		// unless updates before it still wait, so state is always applied
		// in log order.
		x.none.add(u)
		return u.Seq
	}
	x.st.apply(x.cfg.Registry, &u)
	return u.Seq
}

// pump derives everything the state asks for: work items, activity
// starts, timers, sends, the next flush, the next read, a checkpoint.
func (x *Partition) pump() {
	if x.log.pressed() && x.k.CheckpointEvents >= 0 {
		// Half the log is live: take no new work, flush what is pending
		// and checkpoint (or wait for the checkpoint under way), so the
		// log cannot fill up.
		x.flush()
		if !x.ckpt.writing && x.ckpt.snapshot == nil {
			x.checkpoint(true)
		}
		x.armTimers()
		if x.k.Speculation == SpeculationGlobal {
			// Keep the exchange of confirmations going both ways: the
			// flush may wait for the senders' (peekWhileHeld), and theirs
			// for this partition's.
			x.sendConfirmations()
			x.peekWhileHeld()
		}
		return
	}
	x.processReady()
	x.startActivities()
	x.armTimers()
	x.send()
	x.flush()
	x.read()
	x.maybeCheckpoint()
	x.reportLoad()
}

func (x *Partition) markReady(inst string) {
	if !x.inReady[inst] {
		x.inReady[inst] = true
		x.readyQ = append(x.readyQ, inst)
	}
}

func (x *Partition) armTimers() {
	for id := range x.due {
		if _, ok := x.st.Timers[id]; !ok {
			delete(x.due, id) // its due update was applied
		}
	}
	if len(x.armed)+len(x.due) == len(x.st.Timers) {
		return
	}
	ids := make([]int64, 0, len(x.st.Timers))
	for id := range x.st.Timers {
		if !x.armed[id] && !x.due[id] {
			ids = append(ids, id)
		}
	}
	sortInt64s(ids)
	for _, id := range ids {
		x.armed[id] = true
		x.At(port.Time(x.st.Timers[id].Msg.Event.At), durableTimer{id: id, to: x.st.Timers[id].Msg.To})
	}
}

// durableTimer: the durable timer id (for instance to) is due.
type durableTimer struct {
	id int64
	to string
}

func (k durableTimer) Then() reactor.Then { return reactor.Then{Step: "durable-timer", About: k.to} }

func (k durableTimer) step(x *Partition, _ reactor.Outcome) { x.timerDue(k.id) }

func (x *Partition) timerDue(id int64) {
	delete(x.armed, id)
	if x.phase != phaseRunning {
		return
	}
	if _, ok := x.st.Timers[id]; !ok || x.due[id] {
		return
	}
	x.due[id] = true
	x.submit(update{Body: timerDue{Timer: id}})
}

// Close implements port.Closer: it stops the suspended orchestrator
// coroutines of the cached cursors. The core is not stepped again.
func (x *Partition) Close() {
	for _, inst := range sortedKeys(x.st.execs) {
		x.st.dropExec(inst)
	}
}

var _ port.Closer = (*Partition)(nil)
