package harness

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Progress prints one status line — runs done / total, events per second,
// ETA. It prints only when enabled: when its output is a terminal, or when
// asked (--progress). On a terminal it rewrites the line in place; into a
// file or a pipe it writes plain lines, no escape codes: one when the
// first run finishes, then at most one every PlainEvery, and the last.
type Progress struct {
	mu      sync.Mutex
	out     io.Writer
	enabled bool
	live    bool // a terminal: rewrite the line in place
	now     func() time.Time
	start   time.Time
	total   int
	done    int
	events  int64 // finished runs' events plus the current run's
	base    int64 // finished runs' events
	last    time.Time
	plain   time.Time // when the last plain line was written
	unit    string
	note    string
	open    bool // a live line is drawn and not yet ended
}

// PlainEvery is how often at most a progress line is written when the
// output is not a terminal.
const PlainEvery = 10 * time.Second

// NewProgress returns a progress line for total runs on out; force
// enables it even when out is not a terminal; now is the clock (nil:
// time.Now).
func NewProgress(out io.Writer, total int, force bool, now func() time.Time) *Progress {
	if now == nil {
		now = time.Now
	}
	tty := IsTerminal(out)
	return &Progress{out: out, enabled: force || tty, live: tty, now: now, start: now(), total: total, unit: "runs"}
}

// Unit names what is counted ("seeds"; default "runs").
func (p *Progress) Unit(unit string) *Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unit = unit
	return p
}

// Note sets a text shown after the count ("2 violations"); "" removes it.
func (p *Progress) Note(note string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.note = note
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// minRedraw throttles redraws triggered by event counts.
const minRedraw = 200 * time.Millisecond

// Events sets the current run's event count.
func (p *Progress) Events(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = p.base + n
	p.tickLocked()
}

// Tracker returns an events callback for one run that may run alongside
// others: each call reports that run's event count so far, and the line
// shows the sum over every run.
func (p *Progress) Tracker() func(events int64) {
	var last int64
	return func(n int64) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.events += n - last
		p.base += n - last
		last = n
		p.tickLocked()
	}
}

// tickLocked redraws the live line at most every minRedraw, or writes a
// plain line when PlainEvery has passed since the last one (or the start).
func (p *Progress) tickLocked() {
	if !p.enabled {
		return
	}
	now := p.now()
	switch {
	case p.live && now.Sub(p.last) >= minRedraw:
		p.last = now
		p.printLocked()
	case !p.live && now.Sub(p.plain) >= PlainEvery && now.Sub(p.start) >= PlainEvery:
		p.plain = now
		fmt.Fprintln(p.out, p.lineLocked())
	}
}

// RunDone counts a finished run and redraws.
func (p *Progress) RunDone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.base = p.events
	if !p.enabled {
		return
	}
	if p.live {
		p.printLocked()
		if p.done == p.total {
			p.finishLocked()
		}
		return
	}
	now := p.now()
	if p.done == p.total || p.plain.IsZero() || now.Sub(p.plain) >= PlainEvery {
		p.plain = now
		fmt.Fprintln(p.out, p.lineLocked())
	}
}

// Line is the current status text.
func (p *Progress) Line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lineLocked()
}

func (p *Progress) lineLocked() string {
	elapsed := p.now().Sub(p.start)
	line := fmt.Sprintf("%s %d/%d", p.unit, p.done, p.total)
	if p.note != "" {
		line += " · " + p.note
	}
	if secs := elapsed.Seconds(); secs > 0 && p.events > 0 {
		line += fmt.Sprintf(" · %s events/s", si(float64(p.events)/secs))
	}
	switch {
	case p.done >= p.total:
		line += fmt.Sprintf(" · done in %s", elapsed.Round(time.Second))
	case p.done > 0:
		eta := time.Duration(float64(elapsed) / float64(p.done) * float64(p.total-p.done))
		line += fmt.Sprintf(" · ETA %s", eta.Round(time.Second))
	default:
		line += " · ETA unknown"
	}
	return line
}

// printLocked redraws the live line; plain output is written by RunDone.
func (p *Progress) printLocked() {
	if p.enabled && p.live {
		fmt.Fprintf(p.out, "\r\033[K%s", p.lineLocked())
		p.open = true
	}
}

// Finish ends a live line cut short (an interrupt, an error), so that
// what is printed next starts on a line of its own.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
}

func (p *Progress) finishLocked() {
	if p.open {
		fmt.Fprintln(p.out)
		p.open = false
	}
}

// si formats v with a k/M/G suffix.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// StatusLine shows free-form status lines the way Progress does: redrawn
// in place when out is a terminal; into a file or a pipe, only if force,
// as plain lines (the first at once, then at most one per PlainEvery, and
// the last by finish). show is nil when nothing is to be shown; finish
// ends the output (a newline, or the last line not yet written).
func StatusLine(out io.Writer, force bool, now func() time.Time) (show func(line string), finish func()) {
	if now == nil {
		now = time.Now
	}
	if IsTerminal(out) {
		shown := false
		return func(line string) {
				shown = true
				fmt.Fprintf(out, "\r\033[K%s", line)
			}, func() {
				if shown {
					fmt.Fprintln(out)
				}
			}
	}
	if !force {
		return nil, func() {}
	}
	var last time.Time
	started, pending := false, ""
	return func(line string) {
			if t := now(); !started || t.Sub(last) >= PlainEvery {
				started, last, pending = true, t, ""
				fmt.Fprintln(out, line)
				return
			}
			pending = line
		}, func() {
			if pending != "" {
				fmt.Fprintln(out, pending)
			}
		}
}
