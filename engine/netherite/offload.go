package netherite

import (
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// loadInfo is what a partition tells the load monitor about itself: where
// it runs and how its activities stand. At is the report's time; the
// monitor ignores reports older than a few intervals.
type loadInfo struct {
	Partition int
	Node      string
	At        int64
	Queued    int // activities waiting for a slot (not running, not leaving)
	Running   int
	Capacity  int // MaxActivities
	Ready     int // sessions with messages waiting for a work item
}

func (l *loadInfo) encode(e *enc) {
	e.int(int64(l.Partition))
	e.str(l.Node)
	e.int(l.At)
	e.int(int64(l.Queued))
	e.int(int64(l.Running))
	e.int(int64(l.Capacity))
	e.int(int64(l.Ready))
}

func decodeLoad(d *dec) *loadInfo {
	return &loadInfo{Partition: int(d.int()), Node: d.str(), At: d.int(), Queued: int(d.int()),
		Running: int(d.int()), Capacity: int(d.int()), Ready: int(d.int())}
}

// offloadCmd is the load monitor's advice to a partition: send up to N
// queued activities to partition Dest. At is when it was given; advice
// older than heartbeatRounds report intervals (re-read after a recovery) is
// ignored.
type offloadCmd struct {
	Dest, N int
	At      int64
}

// reporter is the volatile state of a partition's load reports.
type reporter struct {
	armed, sending bool
	last           loadInfo // the last report sent (At zero: none yet)
	offloading     map[int64]bool
}

// heartbeatRounds: an unchanged load is reported again after this many
// intervals, so the monitor can tell a quiet partition from a gone one.
const heartbeatRounds = 10

// reportLoad arms the next load report (LoadReport after the last one) and,
// when it is due, appends the report to the monitor's stream if the load
// changed or a heartbeat is due. At most one report is in flight.
func (x *Partition) reportLoad() {
	r := &x.report
	if r.armed || x.k.LoadReport < 0 {
		return
	}
	r.armed = true
	x.After(x.k.LoadReport, reportLoad{})
}

// reportLoad: a load report is due: append it to the monitor's stream if
// the load changed or a heartbeat is due.
type reportLoad struct{}

func (reportLoad) Then() reactor.Then { return reactor.Then{Step: "report-load"} }

func (reportLoad) step(x *Partition, _ reactor.Outcome) {
	r := &x.report
	r.armed = false
	if x.phase != phaseRunning || r.sending {
		return
	}
	li := x.load()
	prev := r.last
	prev.At = li.At
	if prev == li && r.last.At != 0 && port.Time(li.At-r.last.At) < heartbeatRounds*x.k.LoadReport {
		return
	}
	r.last, r.sending = li, true
	e := enc{}
	(&batch{Origin: x.p, Load: &li}).encode(&e)
	x.Issue(port.StreamAppend{Partition: x.cfg.monitorStream(), Records: [][]byte{e.b}}, loadReported{})
}

// loadReported: a load report's append came back.
type loadReported struct{}

func (loadReported) Then() reactor.Then { return reactor.Then{Step: "load-reported"} }

func (loadReported) step(x *Partition, o reactor.Outcome) {
	r := &x.report
	r.sending = false
	if o.Completion.Err != nil {
		r.last = loadInfo{} // report again next time
	}
}

// load is the partition's load now.
func (x *Partition) load() loadInfo {
	queued := 0
	for _, a := range x.st.Activities {
		if !x.running[a.ID] && !x.report.offloading[a.ID] {
			queued++
		}
	}
	return loadInfo{Partition: x.p, Node: x.owner, At: int64(x.Now()), Queued: queued, Running: len(x.running),
		Capacity: x.k.MaxActivities, Ready: len(x.readyQ)}
}

// offload follows the monitor's advice: up to c.N queued activities, the
// newest first (the oldest are next to start here), leave for c.Dest
// through the outbox, like any message to another partition.
func (x *Partition) offload(c *offloadCmd) {
	if c.Dest == x.p || c.Dest < 0 || c.Dest >= x.cfg.Partitions || c.N <= 0 ||
		port.Time(int64(x.Now())-c.At) > heartbeatRounds*x.k.LoadReport {
		return
	}
	r := &x.report
	if r.offloading == nil {
		r.offloading = map[int64]bool{}
	}
	var ids []int64
	for i := len(x.st.Activities) - 1; i >= 0 && len(ids) < c.N; i-- {
		id := x.st.Activities[i].ID
		if !x.running[id] && !r.offloading[id] {
			ids = append(ids, id)
			r.offloading[id] = true
		}
	}
	if len(ids) == 0 {
		return
	}
	x.stats.Offloaded += uint64(len(ids))
	x.cfg.logf("netherite p%02d: offloading %d activities to p%02d", x.p, len(ids), c.Dest)
	x.submit(update{Body: offloaded{Dest: c.Dest, IDs: ids}})
}
