package steptest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Rig says how a script's words become one engine's values.
type Rig struct {
	// New makes the core from the start command's arguments (again at
	// every restart, with the same arguments).
	New func(a Args) (port.Core, error)
	// Call makes a port.ClientCall's Req from deliver call's arguments
	// (nil: the core takes no client calls).
	Call func(a Args) (any, error)
	// Message puts a message where the core will read it (for example a
	// stream record of its input partition) and describes it (nil: no
	// messages).
	Message func(s *port.Stores, now port.Time, a Args) (string, error)
	// Describe summarises an engine value: an op's payload, a request's
	// result, a client call's response, an activity's output. It returns
	// "" for values it does not know, which print by the defaults of
	// print.go.
	Describe func(v any) string
	// Streams is the number of stream partitions of the stores (0: none).
	Streams int
}

// Args are a command's words: positional ones and key=value pairs.
type Args struct {
	Pos []string
	KV  map[string]string
}

// Str returns key's value, or def.
func (a Args) Str(key, def string) string {
	if v, ok := a.KV[key]; ok {
		return v
	}
	return def
}

// Int returns key's value as an integer, or def.
func (a Args) Int(key string, def int) (int, error) {
	v, ok := a.KV[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: allowed an integer", key, v)
	}
	return n, nil
}

// Has reports whether key was given.
func (a Args) Has(key string) bool { _, ok := a.KV[key]; return ok }

func parseArgs(words []string) Args {
	a := Args{KV: map[string]string{}}
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok {
			a.KV[k] = v
		} else {
			a.Pos = append(a.Pos, w)
		}
	}
	return a
}

// splitWords splits a command line at spaces outside double-quoted Go
// strings, which are unquoted (input="\"World\"" is input="World" with
// its quotes: a JSON string).
func splitWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' {
					j++
				}
			}
			if j >= len(line) {
				return nil, fmt.Errorf("unterminated string in %q", line)
			}
			s, err := strconv.Unquote(line[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("bad string %s: %v", line[i:j+1], err)
			}
			cur.WriteString(s)
			in, i = true, j
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// harness is the driver a script plays.
type harness struct {
	rig    Rig
	now    port.Time
	mem    *mem.Store
	stores *port.Stores
	marks  port.MarkBook
	ctx    context.Context

	started bool
	args    Args
	core    port.Core
	life    int
	nextID  port.CallID
	reqs    []port.Request // in flight, in issue order
	timers  []port.Timer
	acts    []port.ActivityTask
}

func newHarness(rig Rig) (*harness, error) {
	h := &harness{rig: rig, ctx: context.Background()}
	s, err := mem.New(func() port.Time { return h.now }, mem.Options{Partitions: rig.Streams})
	if err != nil {
		return nil, err
	}
	h.mem, h.stores = s, s.Stores()
	return h, nil
}

func (h *harness) close() {
	if c, ok := h.core.(port.Closer); ok {
		c.Close()
	}
}

// exec runs one command and returns its output lines.
func (h *harness) exec(line string) (out []string) {
	p := &printer{rig: h.rig}
	words, err := splitWords(line)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	a := parseArgs(words[1:])
	defer func() {
		if r := recover(); r != nil {
			out = append(p.lines, fmt.Sprintf("panic: %v", r))
		}
	}()
	if err := h.run(p, words[0], a); err != nil {
		p.printf("error: %v", err)
	}
	return p.lines
}

func (h *harness) run(p *printer, cmd string, a Args) error {
	if cmd != "start" && !h.started {
		return errors.New("no core: the script begins with start")
	}
	switch cmd {
	case "start":
		if h.started {
			return errors.New("start: the core is started already (restart starts a new life)")
		}
		h.started, h.args = true, a
		return h.boot(p)
	case "restart":
		if h.core != nil {
			return errors.New("restart: the core is running (crash it first)")
		}
		h.life++
		return h.boot(p)
	case "crash":
		return h.crash(p, a)
	case "deliver":
		return h.deliver(p, a)
	case "complete":
		return h.complete(p, a)
	case "fire":
		return h.fire(p, a)
	case "activity":
		return h.activity(p, a)
	case "advance":
		if len(a.Pos) != 1 {
			return errors.New("advance: want one duration")
		}
		d, err := time.ParseDuration(a.Pos[0])
		if err != nil || d < 0 {
			return fmt.Errorf("advance %q: allowed a non-negative Go duration (10ms, 2s)", a.Pos[0])
		}
		h.now += port.Time(d)
		p.printf("now %s", fmtTime(h.now))
		return nil
	case "ready":
		h.printInFlight(p)
		return nil
	case "store":
		return h.store(p, a)
	}
	return fmt.Errorf("unknown command %q: allowed start restart deliver complete fire activity advance crash ready store", cmd)
}

func (h *harness) boot(p *printer) error {
	c, err := h.rig.New(h.args)
	if err != nil {
		return err
	}
	h.core = c
	h.step(p, port.Started{})
	return nil
}

func (h *harness) alive() error {
	if h.core == nil {
		return errors.New("the core is down (crashed; restart it)")
	}
	return nil
}

// step feeds one input and prints the Ready it produced, taking its
// requests, timers and activities in flight.
func (h *harness) step(p *printer, in port.Input) {
	h.core.Step(h.now, in)
	rd := h.core.Ready()
	var violations map[port.RequestID]string
	for _, r := range rd.Requests {
		if !r.Needs.IsZero() {
			if ok, have := h.marks.Satisfied(r.Needs); !ok {
				if violations == nil {
					violations = map[port.RequestID]string{}
				}
				violations[r.ID] = fmt.Sprintf("VIOLATION: request %d (%s) needs %s but %s is durable only to %d", r.ID, r.Op.Kind(), r.Needs, r.Needs.Log, have)
			}
		}
		h.reqs = append(h.reqs, r)
	}
	h.timers = append(h.timers, rd.Timers...)
	h.acts = append(h.acts, rd.Activities...)
	p.ready(&rd, violations)
	h.core.Advance(rd)
}

func (h *harness) deliver(p *printer, a Args) error {
	if err := h.alive(); err != nil {
		return err
	}
	if len(a.Pos) == 0 {
		return errors.New("deliver: want call or msg")
	}
	rest := Args{Pos: a.Pos[1:], KV: a.KV}
	switch a.Pos[0] {
	case "call":
		if h.rig.Call == nil {
			return errors.New("deliver call: this rig's core takes no client calls")
		}
		req, err := h.rig.Call(rest)
		if err != nil {
			return err
		}
		h.nextID++
		p.printf("call %d", h.nextID)
		h.step(p, port.ClientCall{ID: h.nextID, Req: req})
		return nil
	case "msg":
		if h.rig.Message == nil {
			return errors.New("deliver msg: this rig has no messages")
		}
		desc, err := h.rig.Message(h.stores, h.now, rest)
		if err != nil {
			return err
		}
		p.printf("msg %s", desc)
		return nil
	}
	return fmt.Errorf("deliver %s: allowed call, msg", a.Pos[0])
}

var errKinds = map[string]error{
	"not-found": port.ErrNotFound, "conflict": port.ErrConflict, "lease-held": port.ErrLeaseHeld,
	"lease-lost": port.ErrLeaseLost, "transient": port.ErrTransient, "busy": port.ErrServerBusy,
	"corrupt": port.ErrCorrupt, "too-large": port.ErrTooLarge,
}

func (h *harness) complete(p *printer, a Args) error {
	if err := h.alive(); err != nil {
		return err
	}
	if len(a.Pos) < 1 {
		return errors.New("complete: want a request id or all")
	}
	var inject error
	if k := a.Str("err", ""); k != "" {
		if inject = errKinds[k]; inject == nil {
			return fmt.Errorf("complete err=%s: allowed %s", k, strings.Join(sortedKeys(errKinds), " "))
		}
	}
	var ids []port.RequestID
	if a.Pos[0] == "all" {
		for _, r := range h.reqs {
			ids = append(ids, r.ID)
		}
	} else {
		n, err := strconv.ParseUint(a.Pos[0], 10, 64)
		if err != nil {
			i := slices.IndexFunc(h.reqs, func(r port.Request) bool { return string(r.Op.Kind()) == a.Pos[0] })
			if i < 0 {
				return fmt.Errorf("complete %s: no %s request in flight (allowed a request id, an op kind in flight, all)", a.Pos[0], a.Pos[0])
			}
			n = uint64(h.reqs[i].ID)
		}
		ids = append(ids, port.RequestID(n))
	}
	for _, id := range ids {
		if err := h.completeOne(p, id, inject); err != nil {
			return err
		}
		if h.core == nil {
			break
		}
	}
	return nil
}

func (h *harness) completeOne(p *printer, id port.RequestID, inject error) error {
	i := slices.IndexFunc(h.reqs, func(r port.Request) bool { return r.ID == id })
	if i < 0 {
		return fmt.Errorf("complete %d: no such request in flight", id)
	}
	req := h.reqs[i]
	for _, e := range h.reqs[:i] {
		if e.Op.Target() != "" && e.Op.Target() == req.Op.Target() {
			return fmt.Errorf("complete %d: request %d on %s was issued first and is in flight (completions on one target follow issue order)", id, e.ID, req.Op.Target())
		}
	}
	h.reqs = slices.Delete(h.reqs, i, i+1)
	c := port.Completion{ID: id}
	if inject != nil {
		c.Err = inject
	} else {
		c.Result, c.Err = h.apply(req)
	}
	p.completion(req, c)
	h.step(p, c)
	return nil
}

// apply executes a request's op against the stores; its Makes mark is
// durable once it succeeded.
func (h *harness) apply(req port.Request) (any, error) {
	res, err := req.Op.Apply(h.ctx, h.stores)
	if err == nil && !req.Makes.IsZero() {
		h.marks.Made(req.Makes)
	}
	return res, err
}

func (h *harness) fire(p *printer, a Args) error {
	if err := h.alive(); err != nil {
		return err
	}
	if len(a.Pos) != 1 {
		return errors.New("fire: want a timer id or due")
	}
	var ids []port.TimerID
	if a.Pos[0] == "due" {
		for _, t := range h.timers {
			if t.At <= h.now {
				ids = append(ids, t.ID)
			}
		}
	} else {
		n, err := strconv.ParseUint(a.Pos[0], 10, 64)
		if err != nil {
			return fmt.Errorf("fire %q: allowed a timer id or due", a.Pos[0])
		}
		ids = append(ids, port.TimerID(n))
	}
	for _, id := range ids {
		i := slices.IndexFunc(h.timers, func(t port.Timer) bool { return t.ID == id })
		if i < 0 {
			return fmt.Errorf("fire %d: no such timer set", id)
		}
		t := h.timers[i]
		h.timers = slices.Delete(h.timers, i, i+1)
		h.now = max(h.now, t.At)
		p.printf("fired timer %d at %s", id, fmtTime(h.now))
		h.step(p, port.TimerFired{ID: id})
		if h.core == nil {
			break
		}
	}
	return nil
}

func (h *harness) activity(p *printer, a Args) error {
	if err := h.alive(); err != nil {
		return err
	}
	if len(a.Pos) != 2 && !(len(a.Pos) == 1 && a.Has("fail")) {
		return errors.New("activity: want ID ok or ID fail[=MSG]")
	}
	n, err := strconv.ParseUint(a.Pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("activity %q: allowed an activity id", a.Pos[0])
	}
	i := slices.IndexFunc(h.acts, func(t port.ActivityTask) bool { return t.ID == port.ActivityID(n) })
	if i < 0 {
		return fmt.Errorf("activity %d: no such activity running", n)
	}
	t := h.acts[i]
	h.acts = slices.Delete(h.acts, i, i+1)
	done := port.ActivityDone{ID: t.ID}
	switch {
	case len(a.Pos) == 2 && a.Pos[1] == "ok":
		if t.Run != nil {
			done.Output, done.Err = t.Run()
		}
	case len(a.Pos) == 2 && a.Pos[1] == "fail", a.Has("fail"):
		done.Err = errors.New(a.Str("fail", "activity failed"))
	default:
		return fmt.Errorf("activity %d %s: allowed ok, fail[=MSG]", n, a.Pos[1])
	}
	p.activityDone(t, done)
	h.step(p, done)
	return nil
}

func (h *harness) crash(p *printer, a Args) error {
	if err := h.alive(); err != nil {
		return err
	}
	apply := map[port.RequestID]bool{}
	if v := a.Str("apply", ""); v != "" {
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return fmt.Errorf("crash apply=%s: allowed request ids separated by commas", v)
			}
			apply[port.RequestID(n)] = true
		}
	}
	for id := range apply {
		if !slices.ContainsFunc(h.reqs, func(r port.Request) bool { return r.ID == id }) {
			return fmt.Errorf("crash apply=%d: no such request in flight", id)
		}
	}
	for _, r := range h.reqs {
		if apply[r.ID] {
			_, err := h.apply(r)
			p.printf("crash applies %d %s %s%s", r.ID, r.Op.Kind(), r.Op.Target(), errSuffix(err))
		} else {
			p.printf("crash drops %d %s %s", r.ID, r.Op.Kind(), r.Op.Target())
		}
	}
	if c, ok := h.core.(port.Closer); ok {
		c.Close()
	}
	h.core, h.reqs, h.timers, h.acts = nil, nil, nil, nil
	p.printf("crashed (life %d)", h.life)
	return nil
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

func (h *harness) printInFlight(p *printer) {
	if h.core == nil {
		p.printf("down")
		return
	}
	p.printf("now %s", fmtTime(h.now))
	then := continuations(h.core)
	for _, r := range h.reqs {
		p.request(r)
		p.then(then, reactor.Request, uint64(r.ID))
	}
	for _, t := range h.timers {
		p.timer(t)
		p.then(then, reactor.Timer, uint64(t.ID))
	}
	for _, t := range h.acts {
		p.activity(t)
		p.then(then, reactor.Activity, uint64(t.ID))
	}
}

// pendingLister is a core that keeps its in-flight work in an
// engine/reactor.Reactor and so can say what it will do with each piece.
type pendingLister interface{ Pending() []reactor.Pending }

type pendingKey struct {
	kind reactor.Kind
	id   uint64
}

// continuations returns the core's continuations by kind and id (nil: the
// core does not list them).
func continuations(c port.Core) map[pendingKey]string {
	l, ok := c.(pendingLister)
	if !ok {
		return nil
	}
	m := map[pendingKey]string{}
	for _, p := range l.Pending() {
		m[pendingKey{p.Kind, p.ID}] = p.Then.String()
	}
	return m
}

func (h *harness) store(p *printer, a Args) error {
	if len(a.Pos) != 1 {
		return errors.New("store: want a target (stream/N, blob/NAME)")
	}
	kind, name, _ := strings.Cut(a.Pos[0], "/")
	switch kind {
	case "stream":
		n, err := strconv.Atoi(name)
		if err != nil || n < 0 || n >= h.rig.Streams {
			return fmt.Errorf("store %s: allowed stream/0..stream/%d", a.Pos[0], h.rig.Streams-1)
		}
		recs, err := h.stores.Stream.Read(h.ctx, n, 0, 10000)
		if err != nil {
			return err
		}
		for i, r := range recs.Records {
			p.printf("%d: %s", recs.First+int64(i), p.record(r))
		}
		if len(recs.Records) == 0 {
			p.printf("empty")
		}
		return nil
	case "blob":
		bd, err := h.stores.Blob.GetBlob(h.ctx, name, port.Range{})
		if err != nil {
			p.printf("%v", err)
			return nil
		}
		p.printf("%s", quote(bd.Data))
		return nil
	}
	return fmt.Errorf("store %s: allowed stream/N, blob/NAME", a.Pos[0])
}
