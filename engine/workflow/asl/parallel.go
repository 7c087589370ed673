package asl

// startMap starts a Map state's iterations over the items at ItemsPath.
func (e *Execution) startMap(t *Thread, s *State, eff any) error {
	v, err := s.ItemsPath.Get(eff, e.context(t, s))
	if err != nil {
		return fail(ErrRuntime, "state %s: ItemsPath: %v", s.Name, err)
	}
	items, ok := v.([]any)
	if !ok {
		return fail(ErrRuntime, "state %s: ItemsPath %s is a %s, want an array", s.Name, s.ItemsPath, kindOf(v))
	}
	start := e.def.machines[s.Iterator].StartAt
	t.Children, t.Limit = make([]*Thread, len(items)), s.MaxConcurrency
	for i, item := range items {
		c := &Thread{Machine: s.Iterator, State: start, Input: item, Phase: phQueued, Item: i, Effective: item}
		if s.Parameters != nil {
			ctx := e.context(c, s)
			ctx.(map[string]any)["Map"] = map[string]any{"Item": map[string]any{"Index": index(i), "Value": item}}
			x, err := s.Parameters.Apply(eff, ctx)
			if err != nil {
				return fail(ErrParameterPath, "state %s: ItemSelector: %v", s.Name, err)
			}
			c.Input = x
		}
		t.Children[i] = c
	}
	t.Phase = phChildren
	e.dequeue(t)
	return nil
}

// dequeue starts queued iterations up to MaxConcurrency.
func (e *Execution) dequeue(t *Thread) {
	running := 0
	for _, c := range t.Children {
		if c.Phase != phQueued && c.Phase != phDone && c.Phase != phFailed {
			running++
		}
	}
	for _, c := range t.Children {
		if running >= t.maxConcurrency() {
			return
		}
		if c.Phase == phQueued {
			c.Phase, c.Effective = phEnter, nil
			running++
		}
	}
}

// collect ends a Parallel or Map state: the children's outputs as an
// array, or the first failed child's failure.
func (e *Execution) collect(t *Thread, s *State) error {
	for _, c := range t.Children {
		if c.Phase == phFailed {
			return &stateErr{*c.Err}
		}
	}
	outs := make([]any, len(t.Children))
	for i, c := range t.Children {
		outs[i] = c.Output
	}
	out, err := e.output(t, s, outs, true)
	if err != nil {
		return err
	}
	e.advance(t, s, s.Next, out)
	return nil
}
