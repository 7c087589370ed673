package port

import "context"

// TableCreate is Table.CreateTable ("table-create"); result: nil.
type TableCreate struct{ Table string }

// TableDrop is Table.DeleteTable ("table-drop"); result: nil.
type TableDrop struct{ Table string }

// TableWriteOp is Table.Write (kind by W.Kind: "table-insert",
// "table-replace", "table-merge", "table-upsert", "table-upsert-merge",
// "table-delete"); result: string (ETag).
type TableWriteOp struct {
	Table string
	W     TableWrite
}

// TableGet is Table.Get ("table-get"); result: Entity.
type TableGet struct {
	Table, PartitionKey, RowKey string
}

// TableQueryOp is Table.Query ("table-query"); result: EntityPage.
type TableQueryOp struct {
	Table string
	Q     TableQuery
}

// TableBatch is Table.Batch ("table-batch"); result: []string (ETags).
type TableBatch struct {
	Table  string
	Writes []TableWrite
}

func (TableCreate) Kind() OpKind    { return KindTableCreate }
func (TableDrop) Kind() OpKind      { return KindTableDrop }
func (o TableWriteOp) Kind() OpKind { return o.W.Kind.Kind() }
func (TableGet) Kind() OpKind       { return KindTableGet }
func (TableQueryOp) Kind() OpKind   { return KindTableQuery }
func (TableBatch) Kind() OpKind     { return KindTableBatch }

// Target implements Op: "table/<table>/<partition key>", or
// "table/<table>" for the table itself (and an empty batch).
func (o TableCreate) Target() string  { return "table/" + o.Table }
func (o TableDrop) Target() string    { return "table/" + o.Table }
func (o TableWriteOp) Target() string { return tableTarget(o.Table, o.W.Entity.PartitionKey) }
func (o TableGet) Target() string     { return tableTarget(o.Table, o.PartitionKey) }
func (o TableQueryOp) Target() string {
	if o.Q.AllPartitions {
		return "table/" + o.Table // a scan over every partition
	}
	return tableTarget(o.Table, o.Q.PartitionKey)
}

// Target implements Op: a batch acts on one partition, its first write's.
func (o TableBatch) Target() string {
	if len(o.Writes) == 0 {
		return "table/" + o.Table
	}
	return tableTarget(o.Table, o.Writes[0].Entity.PartitionKey)
}

func tableTarget(table, pk string) string { return "table/" + table + "/" + pk }

// AppendTarget implements TargetAppender: the bytes of Target.
func (o TableWriteOp) AppendTarget(dst []byte) []byte {
	return appendTableTarget(dst, o.Table, o.W.Entity.PartitionKey)
}

// AppendTarget implements TargetAppender: the bytes of Target.
func (o TableGet) AppendTarget(dst []byte) []byte {
	return appendTableTarget(dst, o.Table, o.PartitionKey)
}

// AppendTarget implements TargetAppender: the bytes of Target.
func (o TableQueryOp) AppendTarget(dst []byte) []byte {
	if o.Q.AllPartitions {
		return append(append(dst, "table/"...), o.Table...)
	}
	return appendTableTarget(dst, o.Table, o.Q.PartitionKey)
}

// AppendTarget implements TargetAppender: the bytes of Target.
func (o TableBatch) AppendTarget(dst []byte) []byte {
	if len(o.Writes) == 0 {
		return append(append(dst, "table/"...), o.Table...)
	}
	return appendTableTarget(dst, o.Table, o.Writes[0].Entity.PartitionKey)
}

func appendTableTarget(dst []byte, table, pk string) []byte {
	dst = append(dst, "table/"...)
	dst = append(dst, table...)
	dst = append(dst, '/')
	return append(dst, pk...)
}

func (TableCreate) Bytes() int    { return 0 }
func (TableDrop) Bytes() int      { return 0 }
func (o TableWriteOp) Bytes() int { return writeBytes(o.W) }
func (TableGet) Bytes() int       { return 0 }
func (TableQueryOp) Bytes() int   { return 0 }

// Bytes is the sum of the written entities' sizes.
func (o TableBatch) Bytes() int {
	n := 0
	for _, w := range o.Writes {
		n += writeBytes(w)
	}
	return n
}

func writeBytes(w TableWrite) int {
	if w.Kind == Delete {
		return 0
	}
	return EntitySize(w.Entity)
}

// Apply implements Op.
func (o TableCreate) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Table == nil {
		return nil, noStore(o.Kind(), "Table")
	}
	return nil, s.Table.CreateTable(ctx, o.Table)
}

// Apply implements Op.
func (o TableDrop) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Table == nil {
		return nil, noStore(o.Kind(), "Table")
	}
	return nil, s.Table.DeleteTable(ctx, o.Table)
}

// Apply implements Op.
func (o TableWriteOp) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Table == nil {
		return nil, noStore(o.Kind(), "Table")
	}
	return s.Table.Write(ctx, o.Table, o.W)
}

// Apply implements Op.
func (o TableGet) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Table == nil {
		return nil, noStore(o.Kind(), "Table")
	}
	return s.Table.Get(ctx, o.Table, o.PartitionKey, o.RowKey)
}

// Apply implements Op.
func (o TableQueryOp) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Table == nil {
		return nil, noStore(o.Kind(), "Table")
	}
	return s.Table.Query(ctx, o.Table, o.Q)
}

// Apply implements Op.
func (o TableBatch) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Table == nil {
		return nil, noStore(o.Kind(), "Table")
	}
	return s.Table.Batch(ctx, o.Table, o.Writes)
}
