package original

import (
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Control queue ownership: a worker owns the control queues whose lease
// blobs it holds a lease on, and writes its id into a lease blob when it
// wins it. Every LeaseRenewal it renews its leases (a failed renewal drops
// the queue) and, while it owns fewer than its fair share ceil(C/Nodes),
// tries to acquire leases nobody holds. If every lease is held, it reads
// the lease blobs and steals one lease (break, then acquire) from the
// worker owning the most queues, if that worker owns more than its share.
// Once the worker has run for two lease intervals it also takes any lease
// left free beyond its share, so the queues of a crashed node that does
// not come back are picked up after their leases expire; when that node
// returns it steals its share back.

func (w *Worker) fairShare() int {
	return (w.cfg.ControlQueues + w.cfg.Nodes - 1) / w.cfg.Nodes
}

// leaseRound is one balancing round's acquisition attempts.
type leaseRound struct {
	cands  []*controlQueue
	next   int
	chains int // acquisition chains still trying
}

func (w *Worker) balance() {
	owned := w.ownedCount()
	for _, q := range w.queues {
		if q.owned {
			w.renew(q)
		}
	}
	want := w.fairShare() - owned
	if w.Now()-w.started >= 2*w.cfg.LeaseInterval {
		want = w.cfg.ControlQueues - owned
	}
	start := int(fnv64(w.cfg.WorkerID) % uint64(len(w.queues)))
	r := &leaseRound{}
	for i := range w.queues {
		if q := w.queues[(start+i)%len(w.queues)]; !q.owned && !q.acquiring {
			r.cands = append(r.cands, q)
		}
	}
	// want chains, each trying candidates in turn until one lease is won.
	r.chains = min(want, len(r.cands))
	for i := 0; i < r.chains; i++ {
		w.acquireNext(r)
	}
	w.After(w.cfg.LeaseRenewal, balanceAgain{})
}

// balanceAgain: LeaseRenewal has passed: renew and balance the leases.
type balanceAgain struct{}

func (balanceAgain) Then() reactor.Then { return reactor.Then{Step: "balance"} }

func (balanceAgain) workerStep(w *Worker, _ reactor.Outcome) { w.balance() }

func (w *Worker) ownedCount() int {
	n := 0
	for _, q := range w.queues {
		if q.owned {
			n++
		}
	}
	return n
}

// acquireNext tries the next untried candidate; on failure (held by
// another worker) it moves on to the one after. When every chain has run
// out of candidates and the worker is still below its share, it steals.
func (w *Worker) acquireNext(r *leaseRound) {
	for r.next < len(r.cands) && (r.cands[r.next].owned || r.cands[r.next].acquiring) {
		r.next++
	}
	if r.next == len(r.cands) {
		if r.chains--; r.chains == 0 && w.ownedCount() < w.fairShare() {
			w.steal()
		}
		return
	}
	q := r.cands[r.next]
	r.next++
	w.acquire(q, r)
}

// acquire takes q's lease, records this worker as its owner and starts
// polling q; a round's chain (r; nil: none) tries its next candidate if
// the lease is held.
func (w *Worker) acquire(q *controlQueue, r *leaseRound) {
	q.acquiring = true
	w.Issue(port.LeaseAcquire{Name: q.lease, ID: w.cfg.WorkerID, Duration: w.cfg.LeaseInterval}, leaseAcquired{q: q, round: r})
}

// leaseAcquired: the acquisition of q's lease (for a balancing round's
// chain, or a steal: round nil) came back.
type leaseAcquired struct {
	q     *controlQueue
	round *leaseRound
}

func (k leaseAcquired) Then() reactor.Then {
	return reactor.Then{Step: "lease-acquired", About: k.q.name}
}

func (k leaseAcquired) workerStep(w *Worker, o reactor.Outcome) {
	q := k.q
	q.acquiring = false
	if o.Completion.Err != nil {
		if k.round != nil { // held by another worker, or a storage error
			w.acquireNext(k.round)
		}
		return
	}
	w.stats.LeasesAcquired++
	q.owned = true
	w.health(q, port.HealthOK, "owned by "+w.cfg.WorkerID)
	w.dropCursors(q.idx)
	w.Issue(port.BlobPut{Name: q.lease, Data: []byte(w.cfg.WorkerID), Cond: port.Cond{LeaseID: w.cfg.WorkerID}}, leaseDone{"lease-stamped", q})
	if !q.polling {
		w.pollControl(q)
	}
}

// leaseDone: a lease request whose outcome changes nothing came back
// (step names which).
type leaseDone struct {
	step string
	q    *controlQueue
}

func (k leaseDone) Then() reactor.Then { return reactor.Then{Step: k.step, About: k.q.name} }

func (leaseDone) workerStep(*Worker, reactor.Outcome) {}

// steal reads who owns the other leases and takes one from the worker
// owning the most, if it owns more than its share.
func (w *Worker) steal() {
	var others []*controlQueue
	var ops []port.Op
	for _, q := range w.queues {
		if !q.owned && !q.acquiring {
			others = append(others, q)
			ops = append(ops, port.BlobGet{Name: q.lease})
		}
	}
	w.all(ops, leasesRead{others})
}

// leasesRead: the lease blobs of the others (the queues this worker does
// not own) came back: steal from the worker owning the most.
type leasesRead struct{ others []*controlQueue }

func (leasesRead) Then() reactor.Then { return reactor.Then{Step: "leases-read"} }

func (k leasesRead) workerStep(w *Worker, o reactor.Outcome) {
	cs := o.Completions
	count := map[string]int{}
	owner := make([]string, len(cs))
	for i, c := range cs {
		if c.Err == nil {
			owner[i] = string(c.Result.(port.BlobData).Data)
			count[owner[i]]++
		}
	}
	victim, most := "", w.fairShare()
	for _, o := range owner {
		if o != "" && o != w.cfg.WorkerID && (count[o] > most || count[o] == most && o < victim && victim != "") {
			victim, most = o, count[o]
		}
	}
	for i, q := range k.others {
		if victim != "" && owner[i] == victim && !q.owned && !q.acquiring {
			w.stats.LeasesStolen++
			w.Issue(port.LeaseBreakOp{Name: q.lease}, leaseBroken{q})
			return
		}
	}
}

// leaseBroken: the break of q's lease came back: acquire it.
type leaseBroken struct{ q *controlQueue }

func (k leaseBroken) Then() reactor.Then { return reactor.Then{Step: "lease-broken", About: k.q.name} }

func (k leaseBroken) workerStep(w *Worker, _ reactor.Outcome) { w.acquire(k.q, nil) }

func (w *Worker) renew(q *controlQueue) {
	w.Issue(port.LeaseRenew{Name: q.lease, ID: w.cfg.WorkerID}, leaseRenewed{q})
}

// leaseRenewed: the renewal of q's lease came back.
type leaseRenewed struct{ q *controlQueue }

func (k leaseRenewed) Then() reactor.Then {
	return reactor.Then{Step: "lease-renewed", About: k.q.name}
}

func (k leaseRenewed) workerStep(w *Worker, o reactor.Outcome) {
	if c := o.Completion; c.Err != nil && (errors.Is(c.Err, port.ErrLeaseLost) || errors.Is(c.Err, port.ErrNotFound)) {
		w.stats.LeasesLost++
		k.q.owned = false
		w.health(k.q, port.HealthRecovering, fmt.Sprintf("%s lost its lease: %v", w.cfg.WorkerID, c.Err))
	}
}
