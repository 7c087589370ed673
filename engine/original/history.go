package original

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// The History table: one row per event, RowKey = zero-padded sequence
// number within the current execution, property "Event" = the event's
// binary encoding. The "sentinel" row (it sorts after the digits) holds
// the execution id and the committed length; every history write is a
// batch that also replaces the sentinel conditioned on its ETag, so two
// workers stepping the same instance conflict instead of interleaving.
// Rows at or past the committed length are leftovers of a write that did
// not finish, ignored on load and overwritten by the next write.
const (
	sentinelKey  = "sentinel"
	propEvent    = "Event"
	propExec     = "Exec"
	propLen      = "Len"
	rowsPerBatch = port.MaxBatchOps - 1 // leave room for the sentinel
	bytesPerBat  = 3 << 20              // stay under the 4 MiB batch limit
)

// history is an instance's committed history as loaded.
type history struct {
	events []durable.Event
	etag   string   // the sentinel's ETag, "" if there is none yet
	exec   uint32   // current execution, 0 before the first
	dedup  dedupSet // events from other orchestrations already applied
}

func rowKey(seq int) string {
	if seq < 0 {
		return fmt.Sprintf("%010d", seq)
	}
	var d [20]byte
	v := strconv.AppendUint(d[:0], uint64(seq), 10)
	b := make([]byte, 0, max(10, len(v)))
	for i := len(v); i < 10; i++ {
		b = append(b, '0')
	}
	return string(append(b, v...)) // fmt's %010d
}

func uvarintProp(v uint64) []byte { return binary.AppendUvarint(nil, v) }

func readUvarint(b []byte) uint64 {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0
	}
	return v
}

// loadHistory reads an instance's history with table queries (a page of
// up to 1,000 rows each).
func (h *hubIO) loadHistory(instance string, then historyTo) {
	h.historyPage(historyPage{instance: instance, then: then}, "")
}

func (h *hubIO) historyPage(k historyPage, cont string) {
	q := port.TableQuery{PartitionKey: k.instance, PageSize: port.MaxQueryPage, Continuation: cont}
	h.Issue(port.TableQueryOp{Table: h.n.history, Q: q}, k)
}

// historyPage: a page of an instance's history came back; rows are the
// pages' before.
type historyPage struct {
	instance string
	rows     []port.Entity
	then     historyTo
}

func (k historyPage) Then() reactor.Then {
	return reactor.Then{Step: "history-page", About: k.instance}
}

func (k historyPage) hubStep(c core, o reactor.Outcome) {
	cp := o.Completion
	if cp.Err != nil {
		k.then.gotHistory(c, history{}, wrap(cp.Err, "query history of %s", k.instance))
		return
	}
	p := cp.Result.(port.EntityPage)
	k.rows = append(k.rows, p.Entities...)
	if p.Next != "" {
		c.hub().historyPage(k, p.Next)
		return
	}
	c.hub().inflate(c, k.rows, historyInflated(k))
}

// historyInflated: an instance's history rows have their values.
type historyInflated historyPage

func (k historyInflated) gotErr(c core, err error) {
	if err != nil {
		k.then.gotHistory(c, history{}, err)
		return
	}
	hist, err := parseHistory(k.rows)
	var bad *badRow
	if errors.As(err, &bad) {
		err = corruptRow(c.hub().n.history, k.instance, bad.key, bad.err)
	}
	k.then.gotHistory(c, hist, wrap(err, "history of %s", k.instance))
}

// badRow is a stored row that does not parse: corruption, not a race
// with a writer (which leaves rows past the committed length, ignored).
type badRow struct {
	key string
	err error
}

func (b *badRow) Error() string { return fmt.Sprintf("row %s: %v", b.key, b.err) }

// corruptRow is the error for a stored row that does not parse: it wraps
// port.ErrCorrupt and names the table, the partition key and the row.
func corruptRow(table, partitionKey, rowKey string, err error) error {
	return fmt.Errorf("%w: table %s, partition key %q, row key %q does not parse: %v", port.ErrCorrupt, table, partitionKey, rowKey, err)
}

func parseHistory(rows []port.Entity) (history, error) {
	hist := history{dedup: dedupSet{}}
	n := len(rows)
	if n == 0 || rows[n-1].RowKey != sentinelKey {
		return hist, nil // no committed history
	}
	s := rows[n-1]
	hist.etag, hist.exec = s.ETag, uint32(readUvarint(s.Props[propExec]))
	dd, err := decodeDedup(s.Props[propDedup])
	if err != nil {
		return hist, &badRow{key: sentinelKey, err: err}
	}
	hist.dedup = dd
	length := int(readUvarint(s.Props[propLen]))
	for _, r := range rows[:n-1] {
		seq, err := strconv.Atoi(r.RowKey)
		if err != nil || seq >= length {
			continue
		}
		if seq != len(hist.events) {
			return hist, fmt.Errorf("row %s missing before %s", rowKey(len(hist.events)), r.RowKey)
		}
		e, _, err := durable.DecodeEvent(r.Props[propEvent])
		if err != nil {
			return hist, &badRow{key: r.RowKey, err: err}
		}
		hist.events = append(hist.events, e)
	}
	if len(hist.events) != length {
		return hist, fmt.Errorf("%d rows committed, %d found", length, len(hist.events))
	}
	return hist, nil
}

// writeHistory appends events at position base of execution exec (base 0
// starts the execution afresh) in batch transactions of at most 100 rows,
// each conditioned on the sentinel's ETag; only the last batch moves the
// committed length. then gets the sentinel's new ETag. The sentinel also
// keeps dedup.
func (h *hubIO) writeHistory(c core, instance string, etag string, exec uint32, base int, events []durable.Event, dedup dedupSet, then etagTo) {
	var chunks [][]port.TableWrite
	var cur []port.TableWrite
	size := 0
	for i := range events {
		props := map[string][]byte{propEvent: durable.AppendEvent(nil, &events[i])}
		w := port.TableWrite{Kind: port.InsertOrReplace,
			Entity: port.Entity{PartitionKey: instance, RowKey: rowKey(base + i), Props: props}}
		n := port.EntitySize(w.Entity)
		if len(cur) == rowsPerBatch || (len(cur) > 0 && size+n > bytesPerBat) {
			chunks, cur, size = append(chunks, cur), nil, 0
		}
		cur = append(cur, w)
		size += n
	}
	if h.loseRow && len(events) > 1 && len(cur) > 1 {
		cur = cur[:len(cur)-1]
	}
	chunks = append(chunks, cur)
	h.offloadRows(c, instance, exec, chunks, rowsOffloaded{instance: instance, etag: etag, exec: exec, base: base,
		end: base + len(events), dedup: dedup, chunks: chunks, then: then})
}

// rowsOffloaded: the history rows' large events are in blobs: write the
// chunks, the sentinel (etag, exec, base..end, dedup) with the last.
type rowsOffloaded struct {
	instance  string
	etag      string
	exec      uint32
	base, end int
	dedup     dedupSet
	chunks    [][]port.TableWrite
	then      etagTo
}

func (k rowsOffloaded) gotErr(c core, err error) {
	if err != nil {
		k.then.gotEtag(c, "", err)
		return
	}
	s := sentinel{etag: k.etag, exec: k.exec, base: k.base, end: k.end, dedup: encodeDedup(k.dedup)}
	c.hub().writeChunks(k.instance, s, k.chunks, k.then)
}

func (h *hubIO) offloadRows(c core, instance string, exec uint32, chunks [][]port.TableWrite, then errTo) {
	type big struct {
		key   string
		props map[string][]byte
	}
	var pending []big
	for _, ch := range chunks {
		for _, w := range ch {
			if len(w.Entity.Props[propEvent]) > port.MaxPropertyBytes-64 {
				pending = append(pending, big{fmt.Sprintf("history/%s/%d/%s", instance, exec, w.Entity.RowKey), w.Entity.Props})
			}
		}
	}
	if len(pending) == 0 {
		then.gotErr(c, nil)
		return
	}
	g := &errFanIn{left: len(pending), then: then}
	for _, b := range pending {
		h.offload(c, b.key, b.props, g)
	}
}

// sentinel is what a history write puts in the sentinel row.
type sentinel struct {
	etag      string
	exec      uint32
	base, end int
	dedup     []byte
}

func (h *hubIO) writeChunks(instance string, st sentinel, chunks [][]port.TableWrite, then etagTo) {
	ch := chunks[0]
	length := st.base
	if len(chunks) == 1 {
		length = st.end
	}
	props := map[string][]byte{propExec: uvarintProp(uint64(st.exec)), propLen: uvarintProp(uint64(length))}
	if len(st.dedup) > 1 {
		props[propDedup] = st.dedup
	}
	s := port.TableWrite{Kind: port.Replace, IfMatch: st.etag, Entity: port.Entity{PartitionKey: instance,
		RowKey: sentinelKey, Props: props}}
	if st.etag == "" {
		s.Kind, s.IfMatch = port.Insert, ""
	}
	ws := append(ch[:len(ch):len(ch)], s)
	h.Issue(port.TableBatch{Table: h.n.history, Writes: ws}, historyWritten{instance: instance, st: st, chunks: chunks, then: then})
}

// historyWritten: the batch of chunks[0] (with the sentinel st) came
// back: write the next chunk, or hand on the sentinel's ETag.
type historyWritten struct {
	instance string
	st       sentinel
	chunks   [][]port.TableWrite
	then     etagTo
}

func (k historyWritten) Then() reactor.Then {
	return reactor.Then{Step: "history-written", About: k.instance}
}

func (k historyWritten) hubStep(c core, o reactor.Outcome) {
	cp := o.Completion
	if cp.Err != nil {
		k.then.gotEtag(c, "", wrap(cp.Err, "write history of %s", k.instance))
		return
	}
	tags := cp.Result.([]string)
	next := tags[len(tags)-1]
	if len(k.chunks) == 1 {
		k.then.gotEtag(c, next, nil)
		return
	}
	st := k.st
	st.etag = next
	c.hub().writeChunks(k.instance, st, k.chunks[1:], k.then)
}
