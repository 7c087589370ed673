package port

// MarkBook tracks how far each log is durable, from completed requests'
// Makes marks, and tells whether a request's Needs mark is satisfied. Both
// drivers keep one to check the outbox rule as data. It is not safe for
// concurrent use; the real driver guards it.
type MarkBook struct {
	durable map[string]int64
}

// Made records that m is durable (a completed request's Makes).
func (b *MarkBook) Made(m Mark) {
	if m.IsZero() {
		return
	}
	if b.durable == nil {
		b.durable = map[string]int64{}
	}
	if have, ok := b.durable[m.Log]; !ok || m.Pos > have {
		b.durable[m.Log] = m.Pos
	}
}

// Durable returns how far log is durable, and false if nothing is.
func (b *MarkBook) Durable(log string) (int64, bool) {
	have, ok := b.durable[log]
	return have, ok
}

// Satisfied reports whether need is durable (a zero mark always is), and
// the durable position of its log (-1 if none).
func (b *MarkBook) Satisfied(need Mark) (bool, int64) {
	if need.IsZero() {
		return true, 0
	}
	have, ok := b.durable[need.Log]
	if !ok {
		return false, -1
	}
	return have >= need.Pos, have
}
