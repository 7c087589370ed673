package check

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Acks is the "acknowledged ⇒ survives" checker. Feed it every write as it
// is issued and as it is acknowledged, per key (a blob, a table row, a
// stream position...; the caller names keys). After a crash and recovery,
// Check reads every key back: a key's value must be its last acknowledged
// value, or the value of a write issued after that acknowledgement (in
// flight at the crash: it may or may not have been applied). A key never
// acknowledged may also be absent. A nil value means absent (a delete);
// write empty values as []byte{}.
//
// Writes to one key must be acknowledged in issue order, as both drivers
// complete requests on one object. Acks is safe for concurrent use.
type Acks struct {
	mu   sync.Mutex
	keys map[string]*keyLog
}

type keyLog struct {
	acked   bool
	value   []byte   // last acknowledged value (nil: absent)
	pending [][]byte // issued since, not acknowledged, in issue order
}

func (a *Acks) key(k string) *keyLog {
	if a.keys == nil {
		a.keys = map[string]*keyLog{}
	}
	l := a.keys[k]
	if l == nil {
		l = &keyLog{}
		a.keys[k] = l
	}
	return l
}

// Issued records a write of value to key (nil: a delete) sent to storage.
func (a *Acks) Issued(key string, value []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.key(key)
	l.pending = append(l.pending, bytes.Clone(value))
}

// Acked records that the write of value to key was acknowledged. Writes
// issued before it on the same key are settled: their values can no longer
// be read back. Acknowledging a write never Issued is allowed.
func (a *Acks) Acked(key string, value []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.key(key)
	for i, v := range l.pending {
		if equalValue(v, value) {
			l.pending = l.pending[i+1:]
			break
		}
	}
	l.acked, l.value = true, bytes.Clone(value)
}

// AckedRecords records an acknowledged stream append: records at positions
// first, first+1, ... of log, as keys "log@pos".
func (a *Acks) AckedRecords(log string, first int64, records [][]byte) {
	for i, r := range records {
		a.Acked(RecordKey(log, first+int64(i)), r)
	}
}

// RecordKey is the key of one stream record for AckedRecords.
func RecordKey(log string, pos int64) string { return log + "@" + strconv.FormatInt(pos, 10) }

func equalValue(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// Keys returns the keys seen, sorted.
func (a *Acks) Keys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	keys := make([]string, 0, len(a.keys))
	for k := range a.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Loss is a key whose read-back value is none of the allowed ones.
type Loss struct {
	Key     string
	Got     []byte   // nil: absent
	Allowed [][]byte // nil entries: absent
}

func (l Loss) String() string {
	allowed := make([]string, len(l.Allowed))
	for i, v := range l.Allowed {
		allowed[i] = showValue(v)
	}
	return fmt.Sprintf("%s: read %s, want %s", l.Key, showValue(l.Got), strings.Join(allowed, " or "))
}

// Check reads every key back, in key order, and returns the losses. read
// returns a key's value, or found false if it is absent.
func (a *Acks) Check(read func(key string) (value []byte, found bool, err error)) ([]Loss, error) {
	var losses []Loss
	for _, k := range a.Keys() {
		got, found, err := read(k)
		if err != nil {
			return losses, fmt.Errorf("acks: read back %q: %w", k, err)
		}
		if !found {
			got = nil
		} else if got == nil {
			got = []byte{}
		}
		allowed := a.allowed(k)
		ok := false
		for _, v := range allowed {
			ok = ok || equalValue(v, got)
		}
		if !ok {
			losses = append(losses, Loss{Key: k, Got: got, Allowed: allowed})
		}
	}
	return losses, nil
}

func (a *Acks) allowed(k string) [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.keys[k]
	var out [][]byte
	if l.acked {
		out = append(out, l.value)
	} else {
		out = append(out, nil)
	}
	return append(out, l.pending...)
}

// Survived is Check turned into an error listing every loss (nil when
// every acknowledged write survived).
func (a *Acks) Survived(read func(key string) ([]byte, bool, error)) error {
	losses, err := a.Check(read)
	if err != nil {
		return err
	}
	if len(losses) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "acknowledged writes lost: %d of %d keys", len(losses), len(a.Keys()))
	for i, l := range losses {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  ... and %d more", len(losses)-maxListed)
			break
		}
		b.WriteString("\n  " + l.String())
	}
	return &Failure{Checker: "acknowledged-survives", Detail: b.String()}
}

// showValue prints a value for a report: absent, or quoted and cut at 64
// bytes.
func showValue(v []byte) string {
	if v == nil {
		return "(absent)"
	}
	if len(v) > 64 {
		return fmt.Sprintf("%q... (%d bytes)", v[:64], len(v))
	}
	return fmt.Sprintf("%q", v)
}
