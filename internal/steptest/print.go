package steptest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// printer prints a core's Ready and its contents, one line per item, in
// a stable readable form: requests through port.Op's Kind, Target and
// Bytes, with a payload summary (Rig.Describe first, then the defaults
// below for the port's own op and result types). The ready command also
// prints, after each piece of in-flight work, what the core will do with
// its outcome: the continuation its engine/reactor.Reactor keeps as data
// (its step and what it concerns), or "ignored" for a request or timer
// the core no longer waits for (a cancelled timer).
type printer struct {
	rig   Rig
	lines []string
}

func (p *printer) printf(format string, args ...any) {
	p.lines = append(p.lines, fmt.Sprintf(format, args...))
}

func (p *printer) describe(v any) string {
	if p.rig.Describe != nil {
		if s := p.rig.Describe(v); s != "" {
			return s
		}
	}
	switch o := v.(type) {
	case port.StreamAppend:
		return "[" + p.records(o.Records) + "]"
	case port.Records:
		return fmt.Sprintf("records %d..%d of %d [%s]", o.First, o.First+int64(len(o.Records)), o.End, p.records(o.Records))
	case port.QueueEnqueue:
		s := "data=" + p.record(o.Data)
		if o.Delay > 0 {
			s += " delay=" + fmtTime(o.Delay)
		}
		return s
	case []port.Message:
		ms := make([]string, 0, len(o))
		for _, m := range o {
			ms = append(ms, fmt.Sprintf("%s(dequeues=%d) %s", m.ID, m.DequeueCount, p.record(m.Data)))
		}
		return "[" + strings.Join(ms, "; ") + "]"
	}
	return describeDefault(v)
}

func (p *printer) records(rs [][]byte) string {
	ss := make([]string, 0, len(rs))
	for _, r := range rs {
		ss = append(ss, p.record(r))
	}
	return strings.Join(ss, "; ")
}

// ready prints every item of rd in the order the core gave them; a
// request issued before its Needs mark was durable is followed by its
// violation line.
func (p *printer) ready(rd *port.Ready, violations map[port.RequestID]string) {
	for _, r := range rd.Requests {
		p.request(r)
		if v, ok := violations[r.ID]; ok {
			p.lines = append(p.lines, v)
		}
	}
	for _, t := range rd.Timers {
		p.timer(t)
	}
	for _, a := range rd.Activities {
		p.activity(a)
	}
	for _, r := range rd.Responses {
		if r.Err != nil {
			p.printf("response %d err: %v", r.ID, r.Err)
		} else {
			p.printf("response %d: %s", r.ID, p.describe(r.Resp))
		}
	}
	for _, h := range rd.Health {
		l := fmt.Sprintf("health %s %s", h.Unit, h.State)
		if h.Reason != "" {
			l += ": " + h.Reason
		}
		p.lines = append(p.lines, l)
	}
	if len(rd.Work) > 0 {
		ws := make([]string, 0, len(rd.Work))
		for _, w := range rd.Work {
			ws = append(ws, fmt.Sprintf("%s=%d", w.Kind, w.N))
		}
		p.printf("work %s", strings.Join(ws, " "))
	}
}

func (p *printer) request(r port.Request) {
	l := fmt.Sprintf("req %d %s", r.ID, r.Op.Kind())
	if t := r.Op.Target(); t != "" {
		l += " " + t
	}
	if n := r.Op.Bytes(); n > 0 {
		if r.Op.Kind().ReadsLength() {
			l += fmt.Sprintf(" len=%d", n)
		} else {
			l += fmt.Sprintf(" %dB", n)
		}
	}
	if s := p.describe(r.Op); s != "" {
		l += " " + s
		if p.rig.Describe != nil && p.rig.Describe(r.Op) != "" {
			l += opCond(r.Op) // an engine's summary replaced the default one, conditions included
		}
	}
	if !r.Needs.IsZero() {
		l += " needs " + r.Needs.String()
	}
	if !r.Makes.IsZero() {
		l += " makes " + r.Makes.String()
	}
	p.lines = append(p.lines, l)
}

// then prints the continuation of the in-flight item of kind and id, as
// the line "  -> STEP [ABOUT]" (nothing for a core that does not list its
// continuations, or for an activity the core tracks in its own state).
func (p *printer) then(then map[pendingKey]string, kind reactor.Kind, id uint64) {
	if then == nil {
		return
	}
	s, ok := then[pendingKey{kind, id}]
	switch {
	case ok:
		p.printf("  -> %s", s)
	case kind != reactor.Activity:
		p.printf("  -> ignored")
	}
}

func (p *printer) timer(t port.Timer) { p.printf("timer %d at %s", t.ID, fmtTime(t.At)) }

func (p *printer) activity(a port.ActivityTask) {
	p.printf("activity %d %s input=%s", a.ID, a.Name, quote(a.Input))
}

func (p *printer) completion(req port.Request, c port.Completion) {
	l := fmt.Sprintf("completed %d %s", req.ID, req.Op.Kind())
	if c.Err != nil {
		l += " err: " + c.Err.Error()
	} else if s := p.describe(c.Result); s != "" {
		l += ": " + s
	}
	p.lines = append(p.lines, l)
}

func (p *printer) activityDone(a port.ActivityTask, d port.ActivityDone) {
	if d.Err != nil {
		p.printf("activity %d %s failed: %v", a.ID, a.Name, d.Err)
		return
	}
	p.printf("activity %d %s output=%s", a.ID, a.Name, quote(d.Output))
}

// record summarises one stream record or message body (Rig.Describe,
// else short text quoted, else its size).
func (p *printer) record(b []byte) string {
	if p.rig.Describe != nil {
		if s := p.rig.Describe(Record(b)); s != "" {
			return s
		}
	}
	return quote(b)
}

// Record is a stream record or queue message body as Rig.Describe sees it
// inside op payloads and results.
type Record []byte

// describeDefault summarises the port's own op and result types; engine
// payloads inside them (records, message bodies) go through Rig.Describe
// as Record.
func describeDefault(v any) string {
	switch o := v.(type) {
	case nil:
		return ""
	case port.PageCreate:
		return fmt.Sprintf("size=%d%s", o.Size, cond(o.Cond))
	case port.PageWrite:
		return fmt.Sprintf("off=%d%s", o.Off, cond(o.Cond))
	case port.PageRead:
		return fmt.Sprintf("off=%d", o.Off)
	case port.BlobPut:
		return strings.TrimSpace(cond(o.Cond))
	case port.LeaseAcquire:
		return fmt.Sprintf("id=%s for %s", o.ID, fmtTime(o.Duration))
	case port.LeaseRenew:
		return "id=" + o.ID
	case port.LeaseRelease:
		return "id=" + o.ID
	case port.StreamRead:
		return fmt.Sprintf("from=%d max=%d", o.From, o.Max)
	case port.StreamCommit:
		return fmt.Sprintf("%s pos=%d", o.Consumer, o.Pos)
	case port.QueueDequeue:
		return fmt.Sprintf("n=%d visibility=%s", o.N, fmtTime(o.Visibility))
	case port.QueueDelete:
		return "id=" + o.ID
	case port.QueueUpdate:
		return fmt.Sprintf("id=%s visibility=%s", o.ID, fmtTime(o.Visibility))
	case port.TableBatch:
		ks := make([]string, 0, len(o.Writes))
		for _, w := range o.Writes {
			ks = append(ks, fmt.Sprintf("%s:%s", w.Kind.Kind(), w.Entity.RowKey))
		}
		return "[" + strings.Join(ks, " ") + "]"
	case port.TableWriteOp:
		return "row=" + o.W.Entity.RowKey
	case port.TableGet:
		return "row=" + o.RowKey
	case port.SQLCall:
		return describeProc(o.Proc)
	case port.SQLWorkItem:
		if !o.Found {
			return "none"
		}
		return fmt.Sprintf("locked %s exec=%s %s events=%d history=%d until %s", o.Instance, o.Exec, o.Status, len(o.Events), len(o.History), fmtTime(o.LockExpires))
	case port.SQLTask:
		if !o.Found {
			return "none"
		}
		return fmt.Sprintf("locked task %d of %s dequeues=%d", o.Seq, o.Instance, o.Dequeues)
	case port.SQLInstance:
		if !o.Found {
			return "not found"
		}
		return fmt.Sprintf("%s %s exec=%s output=%s", o.Instance, o.Status, o.Exec, quote(o.Output))
	case port.Op:
		return ""

	case port.EntityPage:
		rows := make([]string, 0, len(o.Entities))
		for _, e := range o.Entities {
			rows = append(rows, e.RowKey)
		}
		return fmt.Sprintf("%d rows [%s]", len(rows), strings.Join(rows, " "))
	case port.Entity:
		return fmt.Sprintf("row %s/%s", o.PartitionKey, o.RowKey)
	case []string:
		return "[" + strings.Join(o, " ") + "]"
	case port.BlobData:
		return fmt.Sprintf("%dB", len(o.Data))
	case port.Enqueued:
		return "id=" + o.ID
	case port.AppendResult:
		return fmt.Sprintf("off=%d", o.Offset)
	case []byte:
		return fmt.Sprintf("%dB", len(o))
	case string, int, int64, bool:
		return fmt.Sprint(o)
	}
	return fmt.Sprintf("%T", v)
}

// opCond prints the write conditions of ops that carry them.
func opCond(op port.Op) string {
	switch o := op.(type) {
	case port.BlobPut:
		return cond(o.Cond)
	case port.PageWrite:
		return cond(o.Cond)
	case port.PageCreate:
		return cond(o.Cond)
	case port.BlobDelete:
		return cond(o.Cond)
	}
	return ""
}

func cond(c port.Cond) string {
	var s []string
	if c.IfMatch != "" {
		s = append(s, "if-match")
	}
	if c.IfNoneMatch != "" {
		s = append(s, "if-none-match="+c.IfNoneMatch)
	}
	if c.LeaseID != "" {
		s = append(s, "lease="+c.LeaseID)
	}
	if len(s) == 0 {
		return ""
	}
	return " " + strings.Join(s, " ")
}

// describeProc summarises a relational procedure call's parameters.
func describeProc(p port.Proc) string {
	switch o := p.(type) {
	case port.SQLCreateInstance:
		return fmt.Sprintf("%s %s input=%s", o.Instance, o.Name, quote(o.Input))
	case port.SQLRaiseEvent:
		return o.Instance
	case port.SQLLockNextOrchestration:
		return fmt.Sprintf("owner=%s lock=%s batch=%d", o.Owner, fmtTime(o.Lock), o.Batch)
	case port.SQLLockNextTask:
		return fmt.Sprintf("owner=%s lock=%s", o.Owner, fmtTime(o.Lock))
	case port.SQLCheckpoint:
		s := fmt.Sprintf("%s exec=%s read=%s status=%s history+%d events+%d deleted=%v tasks+%d", o.Instance, o.Exec, o.Read, o.Status,
			len(o.History), len(o.Events), o.Deleted, len(o.Tasks))
		if o.Output != nil {
			s += " output=" + quote(o.Output)
		}
		if o.KeepLock {
			s += " keep-lock"
		}
		return s
	case port.SQLCompleteTasks:
		return fmt.Sprintf("tasks=%v results=%d", o.Seqs, len(o.Results))
	case port.SQLDiscardEvents:
		return fmt.Sprintf("%s deleted=%v", o.Instance, o.Deleted)
	case port.SQLQueryInstance:
		return o.Instance
	case port.SQLPurgeInstance:
		return o.Instance
	}
	return ""
}

// quote prints a payload: short text as a Go string, else its size.
func quote(b []byte) string {
	if len(b) <= 80 && utf8.Valid(b) {
		return strconv.Quote(string(b))
	}
	return fmt.Sprintf("%dB", len(b))
}

// fmtTime prints a port.Time as a duration since the script's zero.
func fmtTime(t port.Time) string { return time.Duration(t).String() }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
