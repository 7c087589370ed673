package azure

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"

	"github.com/dflab/dflab/engine/port"
)

var _ port.Table = (*Store)(nil)

// tableName maps a port table name to the service's.
func (s *Store) tableName(name string) (string, error) {
	if err := port.ValidTableName(name); err != nil {
		return "", err
	}
	full := s.ns + name
	if len(full) > port.MaxTableNameLen {
		return "", port.BadRequest("table name", fmt.Sprintf("%q", name),
			fmt.Sprintf("at most %d characters with namespace %q", port.MaxTableNameLen-len(s.ns), s.ns))
	}
	return full, nil
}

func (s *Store) table(name string) (*aztables.Client, error) {
	full, err := s.tableName(name)
	if err != nil {
		return nil, err
	}
	return s.tables.NewClient(full), nil
}

// CreateTable implements port.Table.
func (s *Store) CreateTable(ctx context.Context, table string) error {
	full, err := s.tableName(table)
	if err != nil {
		return err
	}
	_, err = s.tables.CreateTable(ctx, full, nil)
	return wrap(err, "create table", table)
}

// DeleteTable implements port.Table.
func (s *Store) DeleteTable(ctx context.Context, table string) error {
	full, err := s.tableName(table)
	if err != nil {
		return err
	}
	_, err = s.tables.DeleteTable(ctx, full, nil)
	return wrap(err, "delete table", table)
}

// encodeEntity renders e as the service's JSON, every property Edm.Binary.
func encodeEntity(e port.Entity) ([]byte, error) {
	m := make(map[string]any, 2+2*len(e.Props))
	m["PartitionKey"] = e.PartitionKey
	m["RowKey"] = e.RowKey
	for k, v := range e.Props {
		m[k] = base64.StdEncoding.EncodeToString(v)
		m[k+"@odata.type"] = "Edm.Binary"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("azure: encode entity: %w", err)
	}
	return b, nil
}

// decodeEntity parses the service's JSON for one entity.
func decodeEntity(b []byte, etag string) (port.Entity, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return port.Entity{}, fmt.Errorf("azure: decode entity: %w", err)
	}
	e := port.Entity{ETag: etag, Props: map[string][]byte{}}
	str := func(k string) string {
		var v string
		_ = json.Unmarshal(m[k], &v)
		return v
	}
	for k, raw := range m {
		switch {
		case k == "PartitionKey":
			e.PartitionKey = str(k)
		case k == "RowKey":
			e.RowKey = str(k)
		case k == "Timestamp":
			if t, err := time.Parse(time.RFC3339Nano, str(k)); err == nil {
				e.Timestamp = port.Time(t.UnixNano())
			}
		case k == "odata.etag":
			if e.ETag == "" {
				e.ETag = str(k)
			}
		case strings.HasPrefix(k, "odata.") || strings.Contains(k, "@odata."):
		default:
			v, err := propValue(raw, str(k+"@odata.type"))
			if err != nil {
				return port.Entity{}, fmt.Errorf("azure: decode property %q: %w", k, err)
			}
			e.Props[k] = v
		}
	}
	return e, nil
}

// propValue decodes an Edm.Binary value; any other value is returned as
// its string, or its JSON text if it is not a string.
func propValue(raw json.RawMessage, typ string) ([]byte, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return append([]byte(nil), raw...), nil
	}
	if typ == "Edm.Binary" {
		return base64.StdEncoding.DecodeString(s)
	}
	return []byte(s), nil
}

// Write implements port.Table.
func (s *Store) Write(ctx context.Context, table string, w port.TableWrite) (string, error) {
	if err := port.ValidWrite(w); err != nil {
		return "", err
	}
	c, err := s.table(table)
	if err != nil {
		return "", err
	}
	obj := table + "/" + w.Entity.PartitionKey + "/" + w.Entity.RowKey
	if w.Kind == port.Delete {
		_, err := c.DeleteEntity(ctx, w.Entity.PartitionKey, w.Entity.RowKey,
			&aztables.DeleteEntityOptions{IfMatch: ptr(azcore.ETag(w.IfMatch))})
		return "", wrap(err, string(w.Kind.Kind()), obj)
	}
	body, err := encodeEntity(w.Entity)
	if err != nil {
		return "", err
	}
	var tag azcore.ETag
	switch w.Kind {
	case port.Insert:
		var r aztables.AddEntityResponse
		r, err = c.AddEntity(ctx, body, nil)
		tag = r.ETag
	case port.Replace, port.Merge:
		var r aztables.UpdateEntityResponse
		r, err = c.UpdateEntity(ctx, body, &aztables.UpdateEntityOptions{
			IfMatch: ptr(azcore.ETag(w.IfMatch)), UpdateMode: updateMode(w.Kind)})
		tag = r.ETag
	case port.InsertOrReplace, port.InsertOrMerge:
		var r aztables.UpsertEntityResponse
		r, err = c.UpsertEntity(ctx, body, &aztables.UpsertEntityOptions{UpdateMode: updateMode(w.Kind)})
		tag = r.ETag
	}
	if err != nil {
		return "", wrap(err, string(w.Kind.Kind()), obj)
	}
	return string(tag), nil
}

func updateMode(k port.WriteKind) aztables.UpdateMode {
	if k == port.Merge || k == port.InsertOrMerge {
		return aztables.UpdateModeMerge
	}
	return aztables.UpdateModeReplace
}

// Get implements port.Table.
func (s *Store) Get(ctx context.Context, table, pk, rk string) (port.Entity, error) {
	if err := port.ValidKey("PartitionKey", pk); err != nil {
		return port.Entity{}, err
	}
	if err := port.ValidKey("RowKey", rk); err != nil {
		return port.Entity{}, err
	}
	c, err := s.table(table)
	if err != nil {
		return port.Entity{}, err
	}
	resp, err := c.GetEntity(ctx, pk, rk, nil)
	if err != nil {
		return port.Entity{}, wrap(err, "table get", table+"/"+pk+"/"+rk)
	}
	return decodeEntity(resp.Value, string(resp.ETag))
}

// continuation is a query's opaque continuation token.
type continuation struct {
	PK string `json:"p"`
	RK string `json:"r"`
}

// Query implements port.Table.
func (s *Store) Query(ctx context.Context, table string, q port.TableQuery) (port.EntityPage, error) {
	if err := port.ValidQuery(q); err != nil {
		return port.EntityPage{}, err
	}
	c, err := s.table(table)
	if err != nil {
		return port.EntityPage{}, err
	}
	filter := "PartitionKey eq " + odataString(q.PartitionKey)
	if q.RowKeyFrom != "" {
		filter += " and RowKey ge " + odataString(q.RowKeyFrom)
	}
	if q.AllPartitions {
		filter = "PartitionKey ge " + odataString(q.PartitionKeyFrom)
	}
	o := &aztables.ListEntitiesOptions{Filter: &filter, Top: ptr(int32(q.PageSize))}
	if q.Continuation != "" {
		var k continuation
		b, err := base64.RawURLEncoding.DecodeString(q.Continuation)
		if err != nil || json.Unmarshal(b, &k) != nil {
			return port.EntityPage{}, port.BadRequest("Continuation", fmt.Sprintf("%q", q.Continuation),
				"the Next of a previous page")
		}
		o.NextPartitionKey, o.NextRowKey = &k.PK, &k.RK
	}
	resp, err := c.NewListEntitiesPager(o).NextPage(ctx)
	if err != nil {
		return port.EntityPage{}, wrap(err, "table query", table+"/"+q.PartitionKey)
	}
	var page port.EntityPage
	for _, raw := range resp.Entities {
		e, err := decodeEntity(raw, "")
		if err != nil {
			return port.EntityPage{}, err
		}
		page.Entities = append(page.Entities, e)
	}
	if resp.NextPartitionKey != nil || resp.NextRowKey != nil {
		b, _ := json.Marshal(continuation{PK: deref(resp.NextPartitionKey), RK: deref(resp.NextRowKey)})
		page.Next = base64.RawURLEncoding.EncodeToString(b)
	}
	return page, nil
}

// odataString quotes s as an OData string literal.
func odataString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// dropTables deletes the tables of the store's namespace.
func (s *Store) dropTables(ctx context.Context) error {
	// Table names are compared case-insensitively; the prefix range covers
	// names starting with the (lower-case) namespace.
	filter := "TableName ge " + odataString(s.ns) + " and TableName lt " + odataString(s.ns+"~")
	pager := s.tables.NewListTablesPager(&aztables.ListTablesOptions{Filter: &filter})
	var names []string
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return wrap(err, "list tables", s.ns)
		}
		for _, t := range page.Tables {
			if n := deref(t.Name); strings.HasPrefix(n, s.ns) {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := s.tables.DeleteTable(ctx, n, nil); err != nil && !hasCode(err, "TableNotFound", "ResourceNotFound") {
			return wrap(err, "delete table", n)
		}
	}
	return nil
}
