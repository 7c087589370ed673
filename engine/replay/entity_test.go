package replay_test

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	. "github.com/dflab/dflab/engine/replay"
	"github.com/dflab/dflab/engine/replay/replaytest"
	"github.com/stretchr/testify/require"
)

func account(ctx *durable.EntityContext) error {
	var bal int
	if err := ctx.GetState(&bal); err != nil {
		return err
	}
	switch ctx.Operation() {
	case "get":
		return ctx.Return(bal)
	case "set", "add":
		var v int
		if err := ctx.GetInput(&v); err != nil {
			return err
		}
		if ctx.Operation() == "add" {
			v += bal
		}
		return ctx.SetState(v)
	case "fail":
		_ = ctx.SetState(-1)
		return errors.New("refused")
	case "panic":
		_ = ctx.SetState(-2)
		panic("entity boom")
	case "forward":
		var to string
		if err := ctx.GetInput(&to); err != nil {
			return err
		}
		return ctx.SignalEntity(durable.EntityID{Name: "Account", Key: to}, "add", bal)
	}
	return fmt.Errorf("unknown operation %q", ctx.Operation())
}

func acct(key string) durable.EntityID { return durable.EntityID{Name: "Account", Key: key} }

// transfer reads and writes two accounts inside one critical section, so a
// lost update would show if the locks did not exclude each other.
func transfer(ctx *durable.OrchestrationContext) (any, error) {
	var in struct{ A, B string }
	if err := ctx.GetInput(&in); err != nil {
		return nil, err
	}
	cs, err := ctx.LockEntities(acct(in.A), acct(in.B))
	if err != nil {
		return nil, err
	}
	defer cs.Release()
	for _, k := range []string{in.A, in.B} {
		var v int
		if err := ctx.CallEntity(acct(k), "get", nil).Await(&v); err != nil {
			return nil, err
		}
		if err := ctx.CallEntity(acct(k), "set", v+1).Await(nil); err != nil {
			return nil, err
		}
	}
	return "ok", nil
}

func entityRegistry(t testing.TB) *durable.Registry {
	reg := baseRegistry(t)
	mustAdd(t, reg.AddEntity("Account", account))
	mustAdd(t, reg.AddOrchestrator("Transfer", transfer))
	return reg
}

func TestEntityOperations(t *testing.T) {
	reg := entityRegistry(t)
	mustAdd(t, reg.AddOrchestrator("Ops", func(ctx *durable.OrchestrationContext) (any, error) {
		if err := ctx.SignalEntity(acct("a"), "add", 5); err != nil {
			return nil, err
		}
		if err := ctx.CallEntity(acct("a"), "add", 2).Await(nil); err != nil {
			return nil, err
		}
		failErr := ctx.CallEntity(acct("a"), "fail", nil).Await(nil)
		panicErr := ctx.CallEntity(acct("a"), "panic", nil).Await(nil)
		if err := ctx.CallEntity(acct("a"), "forward", "b").Await(nil); err != nil {
			return nil, err
		}
		var v int
		if err := ctx.CallEntity(acct("a"), "get", nil).Await(&v); err != nil {
			return nil, err
		}
		return []string{fmt.Sprint(v), failErr.Error(), panicErr.Error()}, nil
	}))
	w := replaytest.New(t, reg, true)
	w.Start("o1", "Ops", nil)
	w.Run()
	var out []string
	require.Equal(t, durable.StatusCompleted, w.Output("o1", &out), durable.FailureText(w.Last["o1"].Failure))
	require.Equal(t, "7", out[0], "failed and panicking operations leave the state unchanged")
	require.Equal(t, `entity operation "fail" failed: refused`, out[1])
	require.Equal(t, `entity operation "panic" failed: entity @Account@a operation "panic": panic: entity boom`, out[2])
	require.Equal(t, "7", string(w.Ents["@Account@b"].State), "the signal sent by an operation arrives")
}

func TestCriticalSectionRules(t *testing.T) {
	reg := entityRegistry(t)
	mustAdd(t, reg.AddOrchestrator("Rules", func(ctx *durable.OrchestrationContext) (any, error) {
		cs, err := ctx.LockEntities(acct("x"), acct("y"))
		if err != nil {
			return nil, err
		}
		var errs []string
		errs = append(errs, ctx.CallEntity(acct("z"), "get", nil).Await(nil).Error())
		_, nested := ctx.LockEntities(acct("z"))
		errs = append(errs, nested.Error())
		errs = append(errs, ctx.SignalEntity(acct("x"), "add", 1).Error())
		errs = append(errs, ctx.CallSubOrchestrator("Hello5", nil).Await(nil).Error())
		for _, e := range []error{ctx.CallEntity(acct("z"), "get", nil).Await(nil), nested} {
			if !errors.Is(e, durable.ErrLockRules) {
				return nil, fmt.Errorf("want ErrLockRules, got %v", e)
			}
		}
		cs.Release()
		// After release the same calls are fine.
		if err := ctx.CallEntity(acct("z"), "add", 1).Await(nil); err != nil {
			return nil, err
		}
		return errs, ctx.SignalEntity(acct("x"), "add", 1)
	}))
	w := replaytest.New(t, reg, true)
	w.Start("r1", "Rules", nil)
	w.Run()
	var errs []string
	require.Equal(t, durable.StatusCompleted, w.Output("r1", &errs), durable.FailureText(w.Last["r1"].Failure))
	require.Contains(t, errs[0], "call to entity @Account@z which the critical section did not lock")
	require.Contains(t, errs[1], "nested critical section")
	require.Contains(t, errs[2], "signal to entity @Account@x which the critical section holds locked")
	require.Contains(t, errs[3], `sub-orchestration "Hello5" started inside a critical section`)
	for _, k := range []string{"@Account@x", "@Account@y"} {
		require.Equal(t, "", w.Ents[k].LockedBy, k)
	}
	require.Equal(t, "1", string(w.Ents["@Account@x"].State))
}

func TestLocksReleasedWhenOrchestrationEnds(t *testing.T) {
	reg := entityRegistry(t)
	mustAdd(t, reg.AddOrchestrator("Forgets", func(ctx *durable.OrchestrationContext) (any, error) {
		_, err := ctx.LockEntities(acct("p"), acct("q"))
		if err != nil {
			return nil, err
		}
		return nil, errors.New("failed while holding locks")
	}))
	w := replaytest.New(t, reg, true)
	w.Start("f1", "Forgets", nil)
	w.Start("t1", "Transfer", map[string]string{"A": "q", "B": "p"})
	w.Run()
	require.Equal(t, durable.StatusFailed, w.Last["f1"].Status)
	require.Equal(t, durable.StatusCompleted, w.Last["t1"].Status, "the second critical section got the locks")
	require.Equal(t, "", w.Ents["@Account@p"].LockedBy)
}

// A deferred Release is the same as an explicit one at the return (and as
// none on a failure: the executor releases an open section when the
// orchestration ends): the same history and messages when the
// orchestration returns and when it fails inside the section, with cursors kept or with every step replayed (the executor
// closed after each step while the orchestrator waits inside the section,
// so the deferred call runs as the abandoned orchestrator unwinds and must
// leave no trace).
func TestDeferredReleaseIsTheSameAsExplicit(t *testing.T) {
	body := func(deferred bool) durable.Orchestrator {
		return func(ctx *durable.OrchestrationContext) (any, error) {
			var fail bool
			if err := ctx.GetInput(&fail); err != nil {
				return nil, err
			}
			cs, err := ctx.LockEntities(acct("d1"), acct("d2"))
			if err != nil {
				return nil, err
			}
			if deferred {
				defer cs.Release()
			}
			var v int
			if err := ctx.CallEntity(acct("d1"), "get", nil).Await(&v); err != nil {
				return nil, err
			}
			if err := ctx.CallEntity(acct("d2"), "set", v+1).Await(nil); err != nil {
				return nil, err
			}
			if fail {
				return nil, errors.New("failed inside the critical section")
			}
			if !deferred {
				cs.Release() // where the deferred call runs: at the return
			}
			return v, nil
		}
	}
	run := func(deferred, cursor, fail bool) *replaytest.World {
		reg := baseRegistry(t)
		mustAdd(t, reg.AddEntity("Account", account))
		mustAdd(t, reg.AddOrchestrator("Section", body(deferred)))
		w := replaytest.New(t, reg, cursor)
		w.Start("s1", "Section", fail)
		w.Start("s2", "Section", fail) // contends for the same locks
		w.Run()
		return w
	}
	for _, fail := range []bool{false, true} {
		want := run(false, true, fail)
		st := durable.StatusCompleted
		if fail {
			st = durable.StatusFailed
		}
		require.Equal(t, st, want.Last["s1"].Status, want.Last["s1"].Failure)
		require.Equal(t, st, want.Last["s2"].Status, want.Last["s2"].Failure)
		for _, cursor := range []bool{true, false} {
			got := run(true, cursor, fail)
			require.Equal(t, want.Actions, got.Actions, "fail=%v cursor=%v: same messages", fail, cursor)
			require.Equal(t, want.Hist, got.Hist, "fail=%v cursor=%v: same histories", fail, cursor)
			for _, k := range []string{"@Account@d1", "@Account@d2"} {
				require.Equal(t, "", got.Ents[k].LockedBy, k)
			}
		}
	}
}

// lockWorld is a state of the lock-protocol model: orchestration histories,
// entity states and the messages in flight (delivered in any order).
type lockWorld struct {
	hist map[string][]durable.Event
	ents map[string]EntityState
	pool []durable.Message
}

func (s *lockWorld) clone() *lockWorld {
	c := &lockWorld{hist: map[string][]durable.Event{}, ents: map[string]EntityState{}}
	for k, v := range s.hist {
		c.hist[k] = slices.Clip(v)
	}
	for k, v := range s.ents {
		c.ents[k] = v.Clone()
	}
	c.pool = slices.Clone(s.pool)
	return c
}

func (s *lockWorld) key() string {
	var b strings.Builder
	ids := make([]string, 0, len(s.hist))
	for k := range s.hist {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	for _, k := range ids {
		fmt.Fprintf(&b, "%s:%x;", k, durable.AppendEvents(nil, s.hist[k]))
	}
	ids = ids[:0]
	for k := range s.ents {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	for _, k := range ids {
		e := s.ents[k]
		fmt.Fprintf(&b, "%s:%s:%s:%x;", k, e.State, e.LockedBy, durable.AppendEvents(nil, e.Queue))
	}
	msgs := make([]string, len(s.pool))
	for i, m := range s.pool {
		msgs[i] = fmt.Sprintf("%s>%x", m.To, durable.AppendEvent(nil, &m.Event))
	}
	sort.Strings(msgs)
	b.WriteString(strings.Join(msgs, ","))
	return b.String()
}

func (s *lockWorld) deliver(t *testing.T, reg *durable.Registry, m durable.Message) {
	if durable.IsEntity(m.To) {
		id, err := durable.ParseEntityID(m.To)
		require.NoError(t, err)
		st := s.ents[m.To]
		s.pool = append(s.pool, ExecuteEntity(reg, id, &st, []durable.Event{m.Event}).Messages...)
		s.ents[m.To] = st
		return
	}
	x, r := Execute(reg, m.To, s.hist[m.To], replaytest.T0, []durable.Event{m.Event})
	x.Close()
	s.hist[m.To] = append(s.hist[m.To], r.History...)
	s.pool = append(s.pool, r.Messages...)
}

// Two orchestrations lock overlapping entity sets named in opposite order
// while a client signal targets one of the entities; every delivery order of
// every message is explored. None deadlocks, none loses an update.
func TestLockProtocolAllInterleavings(t *testing.T) {
	reg := entityRegistry(t)
	start := &lockWorld{hist: map[string][]durable.Event{}, ents: map[string]EntityState{}}
	for id, in := range map[string][]string{"A": {"x", "y"}, "B": {"y", "x"}} {
		payload, _ := durable.Marshal(map[string]string{"A": in[0], "B": in[1]})
		start.pool = append(start.pool, durable.Message{To: id, Event: durable.Event{Kind: durable.ExecutionStarted, Name: "Transfer", Payload: payload}})
	}
	start.pool = append(start.pool, durable.Message{To: "@Account@x", Event: durable.Event{Kind: durable.EntitySignalRequested, Name: "add", Payload: []byte("100")}})
	sort.Slice(start.pool, func(i, j int) bool { return start.pool[i].To < start.pool[j].To })

	seen := map[string]bool{}
	terminal := 0
	var explore func(s *lockWorld)
	explore = func(s *lockWorld) {
		k := s.key()
		if seen[k] {
			return
		}
		seen[k] = true
		if len(s.pool) == 0 {
			terminal++
			for _, id := range []string{"A", "B"} {
				h := s.hist[id]
				last := h[len(h)-1]
				require.Equal(t, durable.ExecutionCompleted, last.Kind, "%s did not complete: deadlock?", id)
				require.Equal(t, durable.StatusCompleted, last.Status, last.Failure)
			}
			require.Equal(t, "102", string(s.ents["@Account@x"].State), "lost update on x")
			require.Equal(t, "2", string(s.ents["@Account@y"].State), "lost update on y")
			for k, e := range s.ents {
				require.Empty(t, e.LockedBy, k)
				require.Empty(t, e.Queue, k)
			}
			return
		}
		for i := range s.pool {
			c := s.clone()
			m := c.pool[i]
			c.pool = append(c.pool[:i:i], c.pool[i+1:]...)
			c.deliver(t, reg, m)
			explore(c)
		}
	}
	explore(start)
	require.Greater(t, terminal, 1)
	t.Logf("explored %d states, %d distinct final states", len(seen), terminal)
}
