package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// LoadMonitor is the load monitor core (a port.Core), Netherite's
// "Locavore" and scaling monitor in one. Partitions append load reports to
// its stream partition (offload.go); every LoadReport it reads them and
//
//   - balances activities between nodes: a node whose partitions have
//     activities waiting for a slot sends some of them to partitions with
//     free slots on the least loaded other node (advice the busy partition
//     follows through its outbox, so nothing is lost or run twice);
//   - recommends a node count: one more while activities keep waiting for
//     slots everywhere (Recommendation), one fewer while everything is idle.
//
// It keeps nothing durable: a restarted monitor re-reads its stream, and
// reports and advice older than a few intervals are ignored.
type LoadMonitor struct {
	cfg    *Config
	k      Knobs
	stream int
	reactor.Reactor[monitorStep]

	seq     int64
	pos     int64
	reading bool
	armed   bool
	loads   map[int]loadInfo

	rec        Recommendation
	busy, idle int // consecutive rounds with waiting activities / with no load
	stats      MonitorStats
}

// Recommendation is the scaling monitor's advice: how many nodes the hub
// should run on, and why.
type Recommendation struct {
	Nodes  int
	Reason string
}

// MonitorStats counts what the load monitor did.
type MonitorStats struct {
	Reports, Rounds, Offloads, OffloadedActivities uint64
}

// scaleRounds is how many rounds in a row a signal must hold before the
// recommendation changes.
const scaleRounds = 3

// NewLoadMonitor returns the hub's load monitor core.
func NewLoadMonitor(cfg *Config) (*LoadMonitor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &LoadMonitor{cfg: cfg, k: cfg.Knobs.withDefaults(), stream: cfg.monitorStream(),
		loads: map[int]loadInfo{}, Reactor: reactor.New[monitorStep](reactor.PerKind)}, nil
}

// Recommendation returns the current node-count advice (Nodes 0: no
// reports yet).
func (m *LoadMonitor) Recommendation() Recommendation { return m.rec }

// Stats returns the monitor's counters.
func (m *LoadMonitor) Stats() MonitorStats { return m.stats }

// Step implements port.Core.
func (m *LoadMonitor) Step(now port.Time, in port.Input) {
	m.SetNow(now)
	switch v := in.(type) {
	case port.Started:
		if base := int64(max(now, 0)); base > m.seq {
			m.seq = base // advice of a new life sorts after an old one's
		}
	case port.ClientCall:
		m.Respond(v.ID, nil, fmt.Errorf("the load monitor takes no client calls"))
	default:
		m.Dispatch(now, in, m.run)
	}
	if !m.armed && m.k.LoadReport > 0 {
		m.armed = true
		m.After(m.k.LoadReport, loadRound{})
	}
}

// monitorStep is a LoadMonitor's continuation: what it does with the
// outcome of a stream request or timer, as data.
type monitorStep interface {
	reactor.Cont
	step(m *LoadMonitor, o reactor.Outcome)
}

// run takes a continuation's step (the monitor's reactor dispatches to it).
func (m *LoadMonitor) run(k monitorStep, o reactor.Outcome) { k.step(m, o) }

// loadRound: a round's interval has passed: read the reports.
type loadRound struct{}

func (loadRound) Then() reactor.Then { return reactor.Then{Step: "load-round"} }

func (loadRound) step(m *LoadMonitor, _ reactor.Outcome) {
	m.armed = false
	m.read()
}

// read reads every report appended since the last round, then decides.
func (m *LoadMonitor) read() {
	if m.reading {
		return
	}
	m.reading = true
	m.Issue(port.StreamRead{Partition: m.stream, From: m.pos, Max: m.k.MaxReadRecords}, reportsRead{})
}

// reportsRead: a read of the monitor's stream came back: take the load
// reports, then decide (or read on).
type reportsRead struct{}

func (reportsRead) Then() reactor.Then { return reactor.Then{Step: "read"} }

func (reportsRead) step(m *LoadMonitor, o reactor.Outcome) {
	m.reading = false
	c := o.Completion
	recs, _ := c.Result.(port.Records)
	if c.Err != nil {
		m.cfg.logf("netherite monitor: read stream: %v", c.Err)
		return
	}
	m.pos = recs.First + int64(len(recs.Records))
	for _, rec := range recs.Records {
		b, err := decodeBatch(rec)
		if err != nil || b.Load == nil || b.Load.Partition < 0 || b.Load.Partition >= m.cfg.Partitions {
			continue
		}
		m.stats.Reports++
		if b.Load.At >= m.loads[b.Load.Partition].At {
			m.loads[b.Load.Partition] = *b.Load
		}
	}
	if len(recs.Records) == m.k.MaxReadRecords {
		m.read() // more to read before deciding
		return
	}
	m.round()
}

// round drops stale reports, balances and updates the recommendation.
func (m *LoadMonitor) round() {
	m.stats.Rounds++
	stale := int64(heartbeatRounds+2) * int64(m.k.LoadReport)
	for _, p := range sortedKeys(m.loads) {
		if int64(m.Now())-m.loads[p].At > stale {
			delete(m.loads, p)
		}
	}
	for _, c := range balance(m.loads) {
		m.advise(c)
	}
	m.recommend()
}

// advice is one offload decision: from sends n activities to to.
type advice struct{ from, to, n int }

// balance decides offloads: while the most loaded node (activities running
// and waiting) has partitions with waiting activities and another node is
// lighter by more than one activity, move half the difference (at most
// what waits and what fits) from its busiest partition to the partition
// with the most free slots on the lightest node. Pure and deterministic.
func balance(loads map[int]loadInfo) []advice {
	ls := make(map[int]loadInfo, len(loads))
	for p, l := range loads {
		ls[p] = l
	}
	var out []advice
	for iter := 0; iter < len(ls); iter++ {
		nodeLoad := map[string]int{}
		for _, l := range ls {
			nodeLoad[l.Node] += l.Queued + l.Running
		}
		from, to := -1, -1
		for _, p := range sortedKeys(ls) {
			l := ls[p]
			if l.Queued > 0 && (from < 0 || nodeLoad[l.Node] > nodeLoad[ls[from].Node] ||
				(l.Node == ls[from].Node && l.Queued > ls[from].Queued)) {
				from = p
			}
		}
		if from < 0 {
			break
		}
		for _, p := range sortedKeys(ls) {
			l := ls[p]
			if l.Node == ls[from].Node || l.Capacity-l.Running-l.Queued <= 0 {
				continue
			}
			if to < 0 || nodeLoad[l.Node] < nodeLoad[ls[to].Node] ||
				(l.Node == ls[to].Node && l.Capacity-l.Running-l.Queued > ls[to].Capacity-ls[to].Running-ls[to].Queued) {
				to = p
			}
		}
		if to < 0 {
			break
		}
		f, t := ls[from], ls[to]
		n := min((nodeLoad[f.Node]-nodeLoad[t.Node])/2, f.Queued, t.Capacity-t.Running-t.Queued)
		if n <= 0 {
			break
		}
		out = append(out, advice{from: from, to: to, n: n})
		f.Queued -= n
		t.Queued += n
		ls[from], ls[to] = f, t
	}
	return out
}

func (m *LoadMonitor) advise(a advice) {
	m.seq++
	m.stats.Offloads++
	m.stats.OffloadedActivities += uint64(a.n)
	e := enc{}
	(&batch{Origin: m.stream, Pos: m.seq, Offload: &offloadCmd{Dest: a.to, N: a.n, At: int64(m.Now())}}).encode(&e)
	m.Issue(port.StreamAppend{Partition: a.from, Records: [][]byte{e.b}}, adviceSent{a.from})
}

// adviceSent: the append of offload advice to partition from came back.
type adviceSent struct{ from int }

func (adviceSent) Then() reactor.Then { return reactor.Then{Step: "advice-sent"} }

func (k adviceSent) step(m *LoadMonitor, o reactor.Outcome) {
	if c := o.Completion; c.Err != nil {
		m.cfg.logf("netherite monitor: advice to p%02d: %v", k.from, c.Err)
	}
}

// recommend updates the node-count advice from the reports of this round.
func (m *LoadMonitor) recommend() {
	if len(m.loads) == 0 {
		return
	}
	nodes := map[string]bool{}
	waiting, load := 0, 0
	for _, l := range m.loads {
		nodes[l.Node] = true
		waiting += l.Queued
		load += l.Queued + l.Running + l.Ready
	}
	cur := len(nodes)
	m.busy, m.idle = m.busy+1, m.idle+1
	if waiting == 0 {
		m.busy = 0
	}
	if load > 0 {
		m.idle = 0
	}
	next, reason := cur, "load fits"
	switch {
	case m.busy >= scaleRounds && cur < m.cfg.Partitions:
		next, reason = cur+1, fmt.Sprintf("%d activities waiting for a slot for %d rounds", waiting, m.busy)
	case m.idle >= scaleRounds && cur > 1:
		next, reason = cur-1, fmt.Sprintf("idle for %d rounds", m.idle)
	}
	if next != m.rec.Nodes {
		m.cfg.logf("netherite monitor: recommend %d nodes (running on %d): %s", next, cur, reason)
	}
	m.rec = Recommendation{Nodes: next, Reason: reason}
}
