package netherite

import "github.com/dflab/dflab/engine/port"

// restart ends this life and starts a new one from storage, as after a
// crash: volatile and speculative state is dropped, and the new life takes
// the lease again, loads the checkpoint and replays the log. It serves
// storage errors the partition can outlive (a lost lease, a failed flush or
// read, an error in a boot step) and global speculation's rollback
// (keepEpochs: what this life learnt about other partitions' epochs stays).
//
// The new life boots only when every request of the old one has completed,
// so that no write of the old life can land after the new one read the log
// and resumed writing it; and not before AcquireRetry has passed, so a
// storage service that keeps failing is not hammered. A lease another core
// took in the meantime is waited for like a standby waits (acquireLease).
//
// A storage error that persists does not restart the partition forever:
// the MaxFailedLives-th life in a row that ends in one without progress
// (failedLives, reset by a successful flush or lease renewal) fails the
// partition with that error, and its calls fail with it (PartitionDown).
func (x *Partition) restart(reason string, keepEpochs bool) {
	if x.phase == phaseDead {
		return // failed for good: a late completion of its requests revives nothing
	}
	failed := x.failedLives
	if !keepEpochs {
		failed++
		if n := x.k.MaxFailedLives; n > 0 && failed >= n {
			x.fail("%d lives in a row ended in a storage error (knob MaxFailedLives %d); the last: %s", failed, n, reason)
			return
		}
	}
	x.cfg.logf("netherite p%02d: restarting from storage: %s", x.p, reason)
	x.Close()
	fresh, _ := NewPartition(x.cfg, x.p, x.owner)
	fresh.standby = x.standby
	fresh.failedLives = failed
	fresh.stats = Stats{Restarts: x.stats.Restarts + 1, SoftRestarts: x.stats.SoftRestarts,
		DroppedSpeculative: x.stats.DroppedSpeculative}
	if keepEpochs {
		fresh.stats.SoftRestarts++
		fresh.global = globalSpec{known: x.global.known, top: x.global.top, cautious: true}
	}
	x.Drain() // requests in flight are drained, not acted on; timers of the old life are not ours
	fresh.Reactor = x.Reactor
	*x = *fresh
	x.setState(x.st) // rebind the hooks to x
	x.phase = phaseRestarting
	x.restartAt = x.Now() + x.k.AcquireRetry
	x.health(port.HealthRestarting, reason)
	x.After(x.k.AcquireRetry, wake{})
}

// maybeBoot boots a restarting partition once its old life is drained.
func (x *Partition) maybeBoot() {
	if x.phase == phaseRestarting && x.Now() >= x.restartAt && x.Requests() == 0 {
		x.boot()
	}
}
