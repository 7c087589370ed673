package plan

import (
	"strconv"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

// String returns the plan's canonical text: one line per fault, each ending
// in a newline. Parse(p.String()) gives back an equal plan, and the text of
// a canonical plan survives Parse then String byte for byte.
func (p *Plan) String() string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range p.Faults {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler (plans are saved with
// results in their text form).
func (p *Plan) MarshalText() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Plan) UnmarshalText(text []byte) error {
	q, err := Parse(string(text))
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// String returns the fault's canonical line, without a newline.
func (f Fault) String() string {
	var b strings.Builder
	switch {
	case f.Kind.Timed():
		b.WriteString("at " + FormatDuration(f.At) + " " + string(f.Kind))
		if f.Kind == Move || f.Kind == LeaseLoss {
			b.WriteString(" " + formatPartition(f.Partition))
		}
		if f.Kind != LeaseLoss {
			b.WriteString(" " + f.Node)
		}
	case f.Kind == StorageError || f.Kind == StorageErrorAfter:
		b.WriteString("storage " + string(f.Kind) + " p=" + FormatFloat(f.P) + " op=" + f.Ops)
	case f.Kind == Latency || f.Kind == Throttle:
		b.WriteString(string(f.Kind))
		if f.Kind == Latency {
			b.WriteString(" x" + FormatFloat(f.Factor))
		}
		b.WriteString(" op=" + f.Ops)
		if f.P != 1 {
			b.WriteString(" p=" + FormatFloat(f.P))
		}
	case f.Kind == DuplicateStream:
		b.WriteString("duplicate stream p=" + FormatFloat(f.P))
	case f.Kind == DelayStream:
		b.WriteString("delay stream " + FormatDuration(f.Delay) + " p=" + FormatFloat(f.P))
	case f.Kind == TornTail:
		b.WriteString("torn-tail " + formatPartition(f.Partition) + " at crash")
	case f.Kind == LoseUnsynced:
		b.WriteString("lose-unsynced at crash")
	default:
		b.WriteString("unknown-fault " + string(f.Kind))
	}
	if !f.Window.Always() {
		b.WriteString(" " + f.Window.String())
	}
	return b.String()
}

// String returns "FROM..TO", or "always" for the whole run.
func (w Window) String() string {
	if w.Always() {
		return "always"
	}
	return FormatDuration(w.From) + ".." + FormatDuration(w.To)
}

// FormatDuration prints d in the largest of m, s, ms that divides it
// exactly ("0s" for zero); ParseDuration reads it back.
func FormatDuration(d port.Time) string {
	const minute = 60 * port.Second
	switch {
	case d == 0:
		return "0s"
	case d%minute == 0:
		return strconv.FormatInt(int64(d/minute), 10) + "m"
	case d%port.Second == 0:
		return strconv.FormatInt(int64(d/port.Second), 10) + "s"
	case d%port.Millisecond == 0:
		return strconv.FormatInt(int64(d/port.Millisecond), 10) + "ms"
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// FormatFloat prints x in the shortest form that parses back to x.
func FormatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func formatPartition(p int) string { return "p" + strconv.Itoa(p) }
