package netherite

// nonePending holds, under speculation none, the updates appended to the
// log but not yet applied, and the sessions they lock.
type nonePending struct {
	updates []update
	busy    map[string]int // instance → updates pending for it
}

func (n *nonePending) add(u update) {
	n.updates = append(n.updates, u)
	if inst := u.instance(); inst != "" {
		if n.busy == nil {
			n.busy = map[string]int{}
		}
		n.busy[inst]++
	}
}

// isBusy reports whether a work item of the instance awaits its flush.
func (n *nonePending) isBusy(inst string) bool { return n.busy[inst] > 0 }

// applyDurable applies, in order, every pending update up to seq.
func (x *Partition) applyDurable(seq int64) {
	n := &x.none
	i := 0
	for ; i < len(n.updates) && n.updates[i].Seq <= seq; i++ {
		u := &n.updates[i]
		x.st.apply(x.cfg.Registry, u)
		if inst := u.instance(); inst != "" {
			if n.busy[inst]--; n.busy[inst] <= 0 {
				delete(n.busy, inst)
				x.markReady(inst)
			}
		}
	}
	clear(n.updates[:i])
	n.updates = n.updates[i:]
}
