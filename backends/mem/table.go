package mem

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

type table struct {
	parts map[string]*partition
}

// partition keeps its row keys sorted for queries.
type partition struct {
	rows map[string]*row
	keys []string
}

// row is a stored entity, its Size set (port.EntitySize, which a read
// reports in Entity.Size and a query page in EntityPage.Bytes rather than
// have the meter walk the properties).
type row struct {
	e port.Entity
}

func (p *partition) put(r *row) {
	if _, ok := p.rows[r.e.RowKey]; !ok {
		i := sort.SearchStrings(p.keys, r.e.RowKey)
		p.keys = append(p.keys, "")
		copy(p.keys[i+1:], p.keys[i:])
		p.keys[i] = r.e.RowKey
	}
	r.e.Size = port.EntitySize(r.e)
	p.rows[r.e.RowKey] = r
}

func (p *partition) del(rk string) {
	delete(p.rows, rk)
	i := sort.SearchStrings(p.keys, rk)
	p.keys = append(p.keys[:i], p.keys[i+1:]...)
}

// CreateTable implements port.Table.
func (s *Store) CreateTable(_ context.Context, name string) error {
	if err := port.ValidTableName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tables[name]; ok {
		return fmt.Errorf("table %q exists: %w", name, port.ErrConflict)
	}
	s.tables[name] = &table{parts: map[string]*partition{}}
	return nil
}

// DeleteTable implements port.Table.
func (s *Store) DeleteTable(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tables[name]; !ok {
		return port.NotFound("table", name)
	}
	delete(s.tables, name)
	return nil
}

func (s *Store) table(name string) (*table, error) {
	t, ok := s.tables[name]
	if !ok {
		return nil, port.NotFound("table", name)
	}
	return t, nil
}

// A read returns the stored entity itself, its property map and values
// shared: a stored entity is never changed in place (a write stores a new
// one, with the map and values the writer handed over, see owned), and
// port.Table makes what a read returns read only. Deep-copying every entity
// on every read was a sixth of the original engine's simulation time.

func (t *table) get(pk, rk string) *port.Entity {
	if p, ok := t.parts[pk]; ok {
		if r := p.rows[rk]; r != nil {
			return &r.e
		}
	}
	return nil
}

// check validates w against the current row; it returns the row that
// w would store (nil for a delete).
func check(t *table, w port.TableWrite) (*row, error) {
	pk, rk := w.Entity.PartitionKey, w.Entity.RowKey
	cur := t.get(pk, rk)
	switch w.Kind {
	case port.Insert:
		if cur != nil {
			return nil, fmt.Errorf("entity (%q, %q) exists: %w", pk, rk, port.ErrConflict)
		}
	case port.Replace, port.Merge, port.Delete:
		if cur == nil {
			return nil, fmt.Errorf("entity (%q, %q): %w", pk, rk, port.ErrNotFound)
		}
		if w.IfMatch != "*" && w.IfMatch != cur.ETag {
			return nil, fmt.Errorf("entity (%q, %q) ETag %s, If-Match %s: %w", pk, rk, cur.ETag, w.IfMatch, port.ErrETagMismatch)
		}
	}
	if w.Kind == port.Delete {
		return nil, nil
	}
	e := owned(w.Entity)
	if cur != nil && (w.Kind == port.Merge || w.Kind == port.InsertOrMerge) {
		merged := *cur
		merged.Props = maps.Clone(cur.Props) // the stored map stays as it was
		if merged.Props == nil {
			merged.Props = map[string][]byte{}
		}
		for k, v := range e.Props {
			merged.Props[k] = v
		}
		e = merged
		if err := port.ValidEntity(e); err != nil {
			return nil, err
		}
	}
	return &row{e: e}, nil
}

// owned is the entity a write stores: the caller's own map and values
// (port.Table: what a write is handed is the store's), each empty value
// made nil and each value capped at its length, as CloneEntity would, so
// that appending to a value read later copies it instead of writing into
// spare capacity readers share.
func owned(e port.Entity) port.Entity {
	//archtest:orderfree each property is normalised on its own
	for k, v := range e.Props {
		switch {
		case len(v) == 0 && v != nil:
			e.Props[k] = nil
		case cap(v) != len(v):
			e.Props[k] = v[:len(v):len(v)]
		}
	}
	return e
}

// apply stores the result of a checked write.
func (s *Store) apply(t *table, w port.TableWrite, e *row) string {
	pk := w.Entity.PartitionKey
	p, ok := t.parts[pk]
	if e == nil {
		if ok {
			p.del(w.Entity.RowKey)
			if len(p.keys) == 0 {
				delete(t.parts, pk)
			}
		}
		return ""
	}
	if !ok {
		p = &partition{rows: map[string]*row{}}
		t.parts[pk] = p
	}
	e.e.ETag, e.e.Timestamp = s.etag(), s.now()
	p.put(e)
	return e.e.ETag
}

// Write implements port.Table.
func (s *Store) Write(_ context.Context, name string, w port.TableWrite) (string, error) {
	if err := port.ValidWrite(w); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(name)
	if err != nil {
		return "", err
	}
	e, err := check(t, w)
	if err != nil {
		return "", err
	}
	return s.apply(t, w, e), nil
}

// Batch implements port.Table: every write is checked first, then all are
// applied, so a failing write changes nothing.
func (s *Store) Batch(_ context.Context, name string, ws []port.TableWrite) ([]string, error) {
	if err := port.ValidBatch(ws); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(name)
	if err != nil {
		return nil, err
	}
	es := make([]*row, len(ws))
	for i, w := range ws {
		if es[i], err = check(t, w); err != nil {
			return nil, &port.BatchError{Index: i, Err: err}
		}
	}
	etags := make([]string, len(ws))
	for i, w := range ws {
		etags[i] = s.apply(t, w, es[i])
	}
	return etags, nil
}

// Get implements port.Table.
func (s *Store) Get(_ context.Context, name, pk, rk string) (port.Entity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(name)
	if err != nil {
		return port.Entity{}, err
	}
	e := t.get(pk, rk)
	if e == nil {
		return port.Entity{}, fmt.Errorf("table %q entity (%q, %q): %w", name, pk, rk, port.ErrNotFound)
	}
	return *e, nil
}

// Query implements port.Table. The continuation is the next row key.
func (s *Store) Query(_ context.Context, name string, q port.TableQuery) (port.EntityPage, error) {
	if err := port.ValidQuery(q); err != nil {
		return port.EntityPage{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(name)
	if err != nil {
		return port.EntityPage{}, err
	}
	if q.AllPartitions {
		return t.scan(q), nil
	}
	p, ok := t.parts[q.PartitionKey]
	if !ok {
		return port.EntityPage{}, nil
	}
	from := max(q.RowKeyFrom, q.Continuation)
	keys := p.keys[sort.SearchStrings(p.keys, from):]
	var page port.EntityPage
	if len(keys) > q.PageSize {
		page.Next = keys[q.PageSize]
		keys = keys[:q.PageSize]
	}
	if len(keys) > 0 {
		page.Entities = make([]port.Entity, 0, len(keys))
	}
	for _, k := range keys {
		r := p.rows[k]
		page.Entities = append(page.Entities, r.e)
		page.Bytes += r.e.Size
	}
	return page, nil
}

// scan is a query over every partition (AllPartitions): the continuation
// is the next (partition key, row key), joined by a NUL byte.
func (t *table) scan(q port.TableQuery) port.EntityPage {
	pks := make([]string, 0, len(t.parts))
	for pk := range t.parts {
		if pk >= q.PartitionKeyFrom {
			pks = append(pks, pk)
		}
	}
	sort.Strings(pks)
	fromPK, fromRK, _ := strings.Cut(q.Continuation, "\x00")
	var page port.EntityPage
	for _, pk := range pks {
		if q.Continuation != "" && pk < fromPK {
			continue
		}
		p := t.parts[pk]
		keys := p.keys
		if q.Continuation != "" && pk == fromPK {
			keys = keys[sort.SearchStrings(keys, fromRK):]
		}
		for _, k := range keys {
			if len(page.Entities) == q.PageSize {
				page.Next = pk + "\x00" + k
				return page
			}
			r := p.rows[k]
			page.Entities = append(page.Entities, r.e)
			page.Bytes += r.e.Size
		}
	}
	return page
}
