package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Stop, sent to a partition core as port.ClientCall.Req, stops it
// gracefully so that another core can take the partition over (a
// partition move): it stops taking work, flushes the log, writes a
// checkpoint, releases the lease and answers the call. Activities running
// then are run again by the next owner (at least once); unconfirmed sends
// are resent by it.
type Stop struct{}

func (x *Partition) stop(id port.CallID) {
	if x.phase != phaseRunning {
		x.Respond(id, nil, fmt.Errorf("partition %d: stop: not running (phase %d)", x.p, x.phase))
		return
	}
	x.phase = phaseStopping
	x.stopCall = id
	x.ckpt.snapshot = nil // a waiting snapshot is superseded by the final one
	x.stopCkpt = false
}

// stopping advances a graceful stop one step at a time.
func (x *Partition) stopping() {
	c := &x.ckpt
	switch {
	case x.log.flushing || len(x.log.recEnds) > 0:
		x.flush()
		x.peekWhileStopping()
		// Keep telling the others what became durable: under global
		// speculation a partition whose flush waits for this one's
		// confirmation may be the one this flush waits for.
		x.send()
	case c.writing || c.snapshot != nil:
		// wait for the checkpoint
	case !x.stopCkpt:
		x.stopCkpt = x.checkpoint(true)
		if !x.stopCkpt {
			x.fail("stop: cannot snapshot (seq %d, log %d)", x.st.Seq, x.log.lastSeq)
		}
	default:
		x.phase = phaseStopped
		x.health(port.HealthStopped, "stopped gracefully")
		x.Issue(port.LeaseRelease{Name: x.log.name, ID: x.log.leaseID}, leaseReleased{})
	}
}

// leaseReleased: a stopped partition's lease release came back: answer
// the Stop.
type leaseReleased struct{}

func (leaseReleased) Then() reactor.Then { return reactor.Then{Step: "lease-released"} }

func (leaseReleased) step(x *Partition, o reactor.Outcome) {
	cp := o.Completion
	x.Respond(x.stopCall, x.st.Seq, cp.Err)
	x.cfg.logf("netherite p%02d: stopped by %s at seq %d (lease release: %v)", x.p, x.owner, x.st.Seq, cp.Err)
}

// Owns reports whether this core runs its partition now (it holds the
// lease and has recovered).
func (x *Partition) Owns() bool { return x.phase == phaseRunning }

// RunningSince returns when this core's life started running its
// partition, if it runs it now.
func (x *Partition) RunningSince() (port.Time, bool) { return x.runningAt, x.phase == phaseRunning }
