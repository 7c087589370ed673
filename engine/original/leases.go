package original

import (
	"errors"

	"github.com/dflab/dflab/engine/port"
)

// Control queue ownership: a worker owns the control queues whose lease
// blobs it holds a lease on. Every LeaseRenewal it renews its leases (a
// failed renewal drops the queue) and, while it owns fewer than its fair
// share ceil(C/Nodes), tries to acquire leases nobody holds. Once the
// worker has run for two lease intervals it also takes any lease left
// free beyond its share, so the queues of a crashed node that does not
// come back are picked up after their leases expire.

func (w *Worker) fairShare() int {
	return (w.cfg.ControlQueues + w.cfg.Nodes - 1) / w.cfg.Nodes
}

func (w *Worker) balance() {
	owned := 0
	for _, q := range w.queues {
		if q.owned {
			owned++
			w.renew(q)
		}
	}
	want := w.fairShare() - owned
	if w.now-w.started >= 2*w.cfg.LeaseInterval {
		want = w.cfg.ControlQueues - owned
	}
	start := int(fnv64(w.cfg.WorkerID) % uint64(len(w.queues)))
	var cands []*controlQueue
	for i := range w.queues {
		if q := w.queues[(start+i)%len(w.queues)]; !q.owned && !q.acquiring {
			cands = append(cands, q)
		}
	}
	// want chains, each trying candidates in turn until one lease is won.
	next := 0
	for ; want > 0; want-- {
		w.acquireNext(cands, &next)
	}
	w.after(w.cfg.LeaseRenewal, w.balance)
}

// acquireNext tries the next untried candidate; on failure (held by
// another worker) it moves on to the one after.
func (w *Worker) acquireNext(cands []*controlQueue, next *int) {
	for *next < len(cands) && (cands[*next].owned || cands[*next].acquiring) {
		*next++
	}
	if *next == len(cands) {
		return
	}
	q := cands[*next]
	*next++
	q.acquiring = true
	w.issue(port.LeaseAcquire{Name: q.lease, ID: w.cfg.WorkerID, Duration: w.cfg.LeaseInterval}, func(c port.Completion) {
		q.acquiring = false
		if c.Err != nil {
			w.acquireNext(cands, next) // held by another worker, or a storage error
			return
		}
		w.stats.LeasesAcquired++
		q.owned = true
		if !q.polling {
			w.pollControl(q)
		}
	})
}

func (w *Worker) renew(q *controlQueue) {
	w.issue(port.LeaseRenew{Name: q.lease, ID: w.cfg.WorkerID}, func(c port.Completion) {
		if c.Err != nil && (errors.Is(c.Err, port.ErrLeaseLost) || errors.Is(c.Err, port.ErrNotFound)) {
			w.stats.LeasesLost++
			q.owned = false
		}
	})
}
