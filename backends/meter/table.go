package meter

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

type tableM struct {
	in port.Table
	m  *Meter
}

func (t tableM) CreateTable(ctx context.Context, table string) error {
	return do0(t.m, "table-create", 0, func() error { return t.in.CreateTable(ctx, table) })
}

func (t tableM) DeleteTable(ctx context.Context, table string) error {
	return do0(t.m, "table-drop", 0, func() error { return t.in.DeleteTable(ctx, table) })
}

func (t tableM) Write(ctx context.Context, table string, w port.TableWrite) (string, error) {
	op := port.TableWriteOp{Table: table, W: w}
	return do(t.m, op.Kind(), op.Bytes(), func() (string, error) { return t.in.Write(ctx, table, w) }, nil)
}

func (t tableM) Get(ctx context.Context, table, pk, rk string) (port.Entity, error) {
	return do(t.m, "table-get", 0, func() (port.Entity, error) { return t.in.Get(ctx, table, pk, rk) }, port.EntitySize)
}

func (t tableM) Query(ctx context.Context, table string, q port.TableQuery) (port.EntityPage, error) {
	return do(t.m, "table-query", 0, func() (port.EntityPage, error) { return t.in.Query(ctx, table, q) },
		func(p port.EntityPage) int {
			n := 0
			for _, e := range p.Entities {
				n += port.EntitySize(e)
			}
			return n
		})
}

// Batch counts one request: Azure bills an entity group transaction as one
// transaction.
func (t tableM) Batch(ctx context.Context, table string, ws []port.TableWrite) ([]string, error) {
	op := port.TableBatch{Table: table, Writes: ws}
	return do(t.m, op.Kind(), op.Bytes(), func() ([]string, error) { return t.in.Batch(ctx, table, ws) }, nil)
}
