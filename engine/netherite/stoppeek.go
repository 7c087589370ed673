package netherite

import "github.com/dflab/dflab/engine/port"

// peekWhileStopping keeps reading the input of a partition that is
// stopping under global speculation. Its last updates may depend on
// speculative input, and its flush waits until the senders confirm that
// input durable; confirmations come in the input, which a stopping
// partition otherwise no longer reads, so the stop would wait forever
// (holding the lease, so the partition never moved). The read only learns
// the senders' epochs and durable positions (which may release the flush,
// or roll the partition back if a sender lost the input: the stop is then
// abandoned and the partition recovers); no batch is taken in, and the
// next owner reads them from the recorded position.
func (x *Partition) peekWhileStopping() {
	r := &x.in
	if x.k.Speculation != SpeculationGlobal || r.reading || r.waiting {
		return
	}
	r.peek = max(r.peek, r.pos)
	r.reading = true
	x.issue(port.StreamRead{Partition: x.p, From: r.peek, Max: x.k.MaxReadRecords}, func(c port.Completion) {
		r.reading = false
		recs, _ := c.Result.(port.Records)
		if c.Err != nil || len(recs.Records) == 0 || x.phase != phaseStopping {
			r.waiting = true
			x.after(x.k.PollInterval, func() { r.waiting = false })
			return
		}
		bs, ok := x.decodeBatches(recs)
		r.peek = recs.First + int64(len(recs.Records))
		x.global.learn(x, bs, ok)
	})
}
