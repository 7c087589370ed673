package netherite

import (
	"context"
	"fmt"
	"slices"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/replay"
)

// processReady runs a work item for every session with messages, in the
// order they became ready, until a flush's worth of updates waits for the
// log (backpressure: the rest runs once that flush is under way).
func (x *Partition) processReady() {
	for len(x.readyQ) > 0 {
		// Sessions marked ready meanwhile go to the other buffer; the two
		// take turns, so a round allocates no new queue.
		q := x.readyQ
		x.readyQ, x.spareQ = x.spareQ[:0], nil
		for i, inst := range q {
			if x.log.full() {
				marked := x.readyQ
				x.readyQ = append(q[i:], marked...)
				clear(marked)
				x.spareQ = marked[:0]
				return
			}
			delete(x.inReady, inst)
			if x.none.isBusy(inst) {
				continue // re-marked ready when its update is applied
			}
			sess := x.st.Sessions[inst]
			if sess == nil || len(sess.Queue) == 0 {
				continue
			}
			if durable.IsEntity(inst) {
				x.entityBatch(inst, sess.Queue)
			} else {
				x.orchestrationStep(inst, sess.Queue)
			}
		}
		clear(q)
		x.spareQ = q[:0]
	}
}

func (x *Partition) orchestrationStep(inst string, msgs []durable.Event) {
	batch := slices.Clone(msgs)
	if x.k.ReplayCheck {
		x.st.dropExec(inst) // rebuilt from history: the step replays
	}
	ex := x.st.executor(x.cfg.Registry, inst)
	r := ex.Step(int64(x.Now()), batch)
	x.work["orchestration-step"]++
	x.stats.OrchestrationSteps++
	if r.Status == durable.StatusContinuedAsNew || isDone(r.Status) {
		x.st.dropExec(inst)
	}
	x.submit(update{Body: orchestrated{Instance: inst, Consumed: len(batch), History: r.History,
		Messages: r.Messages, Status: r.Status, Output: r.Output, Custom: r.CustomStatus,
		Failure: r.Failure, Restart: r.Restart}})
}

func isDone(s durable.Status) bool {
	return s == durable.StatusCompleted || s == durable.StatusFailed || s == durable.StatusTerminated
}

func (x *Partition) entityBatch(inst string, msgs []durable.Event) {
	batch := slices.Clone(msgs)
	var st replay.EntityState
	if cur := x.st.Entities[inst]; cur != nil {
		st = cur.Clone()
	}
	id, err := durable.ParseEntityID(inst)
	var res replay.EntityResult
	if err == nil {
		res = replay.ExecuteEntity(x.cfg.Registry, id, &st, batch)
	}
	x.work["entity-op"] += res.Operations
	x.work["entity-batch"]++
	x.stats.EntityBatches++
	x.submit(update{Body: entityStep{Instance: inst, Consumed: len(batch), Entity: st, Messages: res.Messages}})
}

// startActivities starts queued activities up to MaxActivities at once.
func (x *Partition) startActivities() {
	for i := 0; i < len(x.st.Activities) && len(x.running) < x.k.MaxActivities; i++ {
		a := x.st.Activities[i]
		if x.running[a.ID] || x.report.offloading[a.ID] {
			continue
		}
		x.running[a.ID] = true
		x.stats.ActivitiesStarted++
		x.stats.PeakActivities = max(x.stats.PeakActivities, uint64(len(x.running)))
		reg, msg := x.cfg.Registry, a.Msg
		out := x.Out()
		out.Activities = append(out.Activities, port.ActivityTask{ID: port.ActivityID(a.ID),
			Name: msg.Event.Name, Input: msg.Event.Payload,
			Run: func() ([]byte, error) {
				reply := replay.RunActivity(context.Background(), reg, msg)
				e := enc{}
				e.messages([]durable.Message{reply})
				return e.b, nil
			}})
	}
}

func (x *Partition) activityDone(v port.ActivityDone) {
	id := int64(v.ID)
	if !x.running[id] || x.phase != phaseRunning {
		return
	}
	var reply []durable.Message
	if v.Err == nil {
		d := dec{b: v.Output}
		reply = d.messages()
		if d.err != nil || len(reply) != 1 {
			v.Err = fmt.Errorf("activity %d: bad result encoding: %v", id, d.err)
		}
	}
	if v.Err != nil {
		a := x.findActivity(id)
		if a == nil {
			return
		}
		reply = []durable.Message{{To: a.Msg.To, Event: durable.Event{Kind: durable.TaskFailed,
			ID: a.Msg.Event.ID, Failure: v.Err.Error()}}}
	}
	x.submit(update{Body: activityResult{Activity: id, Messages: reply}})
}

func (x *Partition) findActivity(id int64) *activity {
	if i := x.st.activityIndex(id); i >= 0 {
		return &x.st.Activities[i]
	}
	return nil
}

func sortInt64s(s []int64) { slices.Sort(s) }
