package port

import (
	"context"
	"fmt"
	"maps"
	"sort"
)

// Table service limits (as Azure Table Storage).
const (
	MaxEntityBytes   = 1 << 20  // one entity, counted as EntitySize
	MaxPropertyBytes = 64 << 10 // one property value
	MaxProperties    = 252      // custom properties per entity
	MaxKeyLen        = 1024     // characters in a partition or row key
	MaxBatchOps      = 100      // operations per batch transaction
	MaxBatchBytes    = 4 << 20  // payload of a batch transaction
	MaxQueryPage     = 1000     // entities per query page
	MinTableNameLen  = 3
	MaxTableNameLen  = 63
	MaxPropertyName  = 255
	entityOverhead   = 4
	propertyOverhead = 8
	bytesPerNameChar = 2 // Azure counts names as UTF-16
)

// Entity is a table row. Props are binary-valued (Edm.Binary in Azure);
// encode other types in the bytes. ETag and Timestamp are set by the store.
type Entity struct {
	PartitionKey string
	RowKey       string
	Props        map[string][]byte
	ETag         string
	Timestamp    Time
	// Size, when positive, is EntitySize of the entity as read, set by a
	// store that knows it (the meter then needs no walk over the entity's
	// properties); 0 means not given. Writes ignore it: a written entity is
	// always measured.
	Size int
}

// WriteKind is the kind of a table write.
type WriteKind uint8

// Table write kinds. Replace, Merge and Delete need TableWrite.IfMatch
// (an ETag, or "*" for unconditional) and fail with ErrNotFound on a
// missing entity; Insert fails with ErrConflict on an existing one.
const (
	Insert          WriteKind = iota + 1 // "table-insert"
	Replace                              // "table-replace"
	Merge                                // "table-merge"
	InsertOrReplace                      // "table-upsert"
	InsertOrMerge                        // "table-upsert-merge"
	Delete                               // "table-delete"
)

var writeKinds = [...]OpKind{"", "table-insert", "table-replace", "table-merge",
	"table-upsert", "table-upsert-merge", "table-delete"}

// Kind is the op kind of a single write of this kind.
func (k WriteKind) Kind() OpKind {
	if int(k) < len(writeKinds) && k > 0 {
		return writeKinds[k]
	}
	return OpKind(fmt.Sprintf("table-write(%d)", uint8(k)))
}

func (k WriteKind) String() string { return string(k.Kind()) }

// TableWrite is one write, alone or in a batch. Delete needs only the keys.
type TableWrite struct {
	Kind    WriteKind
	Entity  Entity
	IfMatch string
}

// TableQuery selects entities of one partition with RowKey >= RowKeyFrom,
// in row key order, a page at a time; with AllPartitions (and no
// PartitionKey) it scans every partition with PartitionKey >=
// PartitionKeyFrom, in (PartitionKey, RowKey) order, as a table query
// without a partition filter does.
type TableQuery struct {
	PartitionKey     string
	RowKeyFrom       string
	AllPartitions    bool
	PartitionKeyFrom string
	PageSize         int    // 1..MaxQueryPage
	Continuation     string // from the previous page's Next; "" for the first
}

// EntityPage is one page of a query result.
type EntityPage struct {
	Entities []Entity
	Next     string // continuation; "" when there are no more entities
	// Bytes, when positive, is the entities' EntitySize summed, set by a
	// store that knows it (the meter then needs no walk over every
	// entity's properties); 0 means not given.
	Bytes int
}

// Table is an Azure-style table store. Operations on a missing table fail
// with ErrNotFound. The entities Get and Query return are read only, their
// property maps and values too: a store may share them with what it holds
// (copy a map before setting, adding or deleting a property). Likewise an
// entity handed to Write or Batch is the store's from then on: it may keep
// the map and the values (and set an empty value to nil, cap a value at its
// length), so the caller must not change them afterwards.
type Table interface {
	// CreateTable creates a table; ErrConflict if it exists ("table-create").
	CreateTable(ctx context.Context, table string) error
	// DeleteTable deletes a table and its entities ("table-drop").
	DeleteTable(ctx context.Context, table string) error
	// Write performs one write and returns the new ETag ("" for Delete)
	// (kind by w.Kind, e.g. "table-insert").
	Write(ctx context.Context, table string, w TableWrite) (etag string, err error)
	// Get reads one entity ("table-get").
	Get(ctx context.Context, table, pk, rk string) (Entity, error)
	// Query reads one page of a partition ("table-query").
	Query(ctx context.Context, table string, q TableQuery) (EntityPage, error)
	// Batch performs 1..MaxBatchOps writes on one partition atomically and
	// returns their ETags; on failure nothing changed and the error is a
	// *BatchError naming the failing index ("table-batch").
	Batch(ctx context.Context, table string, ws []TableWrite) ([]string, error)
}

// EntitySize is the entity's size as Azure counts it: 4 bytes, plus keys
// as UTF-16, plus per property 8 bytes, the name as UTF-16 and the value.
func EntitySize(e Entity) int {
	n := entityOverhead + bytesPerNameChar*(len(e.PartitionKey)+len(e.RowKey))
	for k, v := range e.Props {
		n += propertyOverhead + bytesPerNameChar*len(k) + len(v)
	}
	return n
}

// ValidTableName checks a table name: 3..63 letters and digits, starting
// with a letter.
func ValidTableName(name string) error {
	bad := len(name) < MinTableNameLen || len(name) > MaxTableNameLen
	for i := 0; !bad && i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			bad = true
		}
	}
	if bad {
		return BadRequest("table name", fmt.Sprintf("%q", name),
			"3..63 of [A-Za-z0-9], starting with a letter")
	}
	return nil
}

// ValidKey checks a partition or row key: up to 1024 characters, none of
// '/', '\\', '#', '?' or control characters.
func ValidKey(field, key string) error {
	if len(key) > MaxKeyLen {
		return BadRequest(field, fmt.Sprintf("%d characters", len(key)), "up to 1024 characters")
	}
	for _, c := range key {
		if c == '/' || c == '\\' || c == '#' || c == '?' || c < 0x20 || (c >= 0x7f && c <= 0x9f) {
			return BadRequest(field, fmt.Sprintf("%q", key), `no '/', '\', '#', '?' or control characters`)
		}
	}
	return nil
}

// ValidEntity checks an entity's keys, property names and sizes.
func ValidEntity(e Entity) error {
	if err := ValidKey("PartitionKey", e.PartitionKey); err != nil {
		return err
	}
	if err := ValidKey("RowKey", e.RowKey); err != nil {
		return err
	}
	if len(e.Props) > MaxProperties {
		return BadRequest("property count", len(e.Props), "0..252")
	}
	// One unordered pass checks every property and sums the size; only an
	// entity with a bad property is looked at again in name order, so that
	// the error names the same (first) property whatever the map order.
	n, bad := entityOverhead+bytesPerNameChar*(len(e.PartitionKey)+len(e.RowKey)), false
	//archtest:orderfree a sum and a flag; the error comes from the sorted pass below
	for k, v := range e.Props {
		bad = bad || badProperty(k, v) != nil
		n += propertyOverhead + bytesPerNameChar*len(k) + len(v)
	}
	if bad {
		for _, k := range sortedKeys(e.Props) {
			if err := badProperty(k, e.Props[k]); err != nil {
				return err
			}
		}
	}
	if n > MaxEntityBytes {
		return TooLarge("entity", n, MaxEntityBytes)
	}
	return nil
}

// badProperty checks one property's name and value size.
func badProperty(k string, v []byte) error {
	if k == "" || len(k) > MaxPropertyName || k == "PartitionKey" || k == "RowKey" ||
		k == "Timestamp" || k == "ETag" {
		return BadRequest("property name", fmt.Sprintf("%q", k),
			"1..255 characters, not PartitionKey, RowKey, Timestamp or ETag")
	}
	if len(v) > MaxPropertyBytes {
		return TooLarge("property "+k, len(v), MaxPropertyBytes)
	}
	return nil
}

// ValidWrite checks one write: its kind, entity and IfMatch.
func ValidWrite(w TableWrite) error {
	switch w.Kind {
	case Insert, InsertOrReplace, InsertOrMerge:
		if w.IfMatch != "" {
			return BadRequest("IfMatch", w.IfMatch, `"" for insert and upsert`)
		}
	case Replace, Merge, Delete:
		if w.IfMatch == "" {
			return BadRequest("IfMatch", `""`, `an ETag or "*" for replace, merge and delete`)
		}
	default:
		return BadRequest("write kind", w.Kind, "Insert, Replace, Merge, InsertOrReplace, InsertOrMerge, Delete")
	}
	if w.Kind == Delete {
		if err := ValidKey("PartitionKey", w.Entity.PartitionKey); err != nil {
			return err
		}
		return ValidKey("RowKey", w.Entity.RowKey)
	}
	return ValidEntity(w.Entity)
}

// ValidBatch checks a batch's shape: 1..100 writes, one partition, each
// row at most once, each write valid (errors are *BatchError for a write).
func ValidBatch(ws []TableWrite) error {
	if len(ws) < 1 || len(ws) > MaxBatchOps {
		return BadRequest("batch size", len(ws), "1..100 operations")
	}
	seen := make(map[string]bool, len(ws))
	total := 0
	for i, w := range ws {
		if err := ValidWrite(w); err != nil {
			return &BatchError{Index: i, Err: err}
		}
		if w.Entity.PartitionKey != ws[0].Entity.PartitionKey {
			return &BatchError{Index: i, Err: BadRequest("PartitionKey", fmt.Sprintf("%q", w.Entity.PartitionKey),
				fmt.Sprintf("%q (one partition per batch)", ws[0].Entity.PartitionKey))}
		}
		if seen[w.Entity.RowKey] {
			return &BatchError{Index: i, Err: BadRequest("RowKey", fmt.Sprintf("%q", w.Entity.RowKey),
				"each row at most once per batch")}
		}
		seen[w.Entity.RowKey] = true
		total += EntitySize(w.Entity)
	}
	if total > MaxBatchBytes {
		return TooLarge("batch", total, MaxBatchBytes)
	}
	return nil
}

// ValidQuery checks a query.
func ValidQuery(q TableQuery) error {
	if q.PageSize < 1 || q.PageSize > MaxQueryPage {
		return BadRequest("PageSize", q.PageSize, "1..1000")
	}
	if q.AllPartitions {
		if q.PartitionKey != "" || q.RowKeyFrom != "" {
			return BadRequest("PartitionKey", q.PartitionKey, "empty (and RowKeyFrom empty) with AllPartitions")
		}
		return nil
	}
	return ValidKey("PartitionKey", q.PartitionKey)
}

func sortedKeys(m map[string][]byte) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// CloneEntity returns a deep copy of e: the map is cloned whole, then its
// values are copied into one allocation, each capped at its length so that
// appending to one never writes into another; an empty value becomes nil.
func CloneEntity(e Entity) Entity {
	c := e
	if e.Props != nil {
		n := 0
		for _, v := range e.Props {
			n += len(v)
		}
		buf := make([]byte, 0, n)
		c.Props = maps.Clone(e.Props)
		//archtest:orderfree the buffer's layout follows map order, but each key gets its own value's bytes whatever the order
		for k, v := range c.Props {
			if len(v) == 0 {
				c.Props[k] = nil
				continue
			}
			i := len(buf)
			buf = append(buf, v...)
			c.Props[k] = buf[i:len(buf):len(buf)]
		}
	}
	return c
}
