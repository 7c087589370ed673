package postgres

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/dflab/dflab/engine/port"
)

// querier is what both a pool and a transaction offer.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func nz(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// putPayload upserts a payload and returns its id ("" for nil data).
func (s *Store) putPayload(ctx context.Context, tx pgx.Tx, hub, inst, id string, data []byte) (*string, error) {
	if data == nil {
		return nil, nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+s.t("payloads")+` (task_hub, instance_id, payload_id, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (task_hub, instance_id, payload_id) DO UPDATE SET data = EXCLUDED.data`, hub, inst, id, data)
	return &id, err
}

func (s *Store) insertEvents(ctx context.Context, tx pgx.Tx, hub string, evs []port.SQLNewEvent) error {
	for _, e := range evs {
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t("new_events")+` (task_hub, instance_id, execution_id, visible_time, event)
			VALUES ($1, $2, $3, $4, $5)`, hub, e.Instance, e.Exec, int64(e.Visible), nz(e.Event)); err != nil {
			return err
		}
	}
	return nil
}

// purge deletes every row of an instance (the provider's
// PurgeInstanceStateByID), in the provider's table order.
func (s *Store) purge(ctx context.Context, tx pgx.Tx, hub, inst string) error {
	for _, tbl := range []string{"new_events", "new_tasks", "history", "payloads", "requests", "instances"} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t(tbl)+` WHERE task_hub = $1 AND instance_id = $2`, hub, inst); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) createInstance(ctx context.Context, hub string, now port.Time, p port.SQLCreateInstance) (any, error) {
	if p.Instance == "" || p.Exec == "" {
		return nil, port.BadRequest("SQLCreateInstance.Instance/Exec", fmt.Sprintf("%q/%q", p.Instance, p.Exec), "non-empty ids")
	}
	var conflict *port.SQLInstance
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT runtime_status FROM `+s.t("instances")+` WHERE task_hub = $1 AND instance_id = $2 FOR UPDATE`,
			hub, p.Instance).Scan(&status)
		switch {
		case err == pgx.ErrNoRows:
		case err != nil:
			return err
		case slices.Contains(p.Dedupe, status):
			row, err := s.queryInstance(ctx, tx, hub, p.Instance)
			if err != nil {
				return err
			}
			conflict = &row
			return nil
		default:
			if err := s.purge(ctx, tx, hub, p.Instance); err != nil {
				return err
			}
		}
		in, err := s.putPayload(ctx, tx, hub, p.Instance, p.Exec+"/input", p.Input)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t("instances")+` (task_hub, instance_id, execution_id, name, runtime_status,
			created_time, last_updated_time, input_payload_id) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
			hub, p.Instance, p.Exec, p.Name, port.SQLPending, int64(now), in); err != nil {
			return err
		}
		return s.insertEvents(ctx, tx, hub, []port.SQLNewEvent{{Instance: p.Instance, Exec: p.Exec, Event: p.Start}})
	})
	if isUnique(err) {
		// A concurrent create of the same id won.
		row, qerr := s.queryInstance(ctx, s.pool, hub, p.Instance)
		if qerr != nil {
			return nil, qerr
		}
		conflict, err = &row, nil
	}
	if err != nil {
		return nil, err
	}
	if conflict != nil {
		return *conflict, fmt.Errorf("postgres: create %s: instance exists and is %s: %w", p.Instance, conflict.Status, port.ErrConflict)
	}
	return s.queryInstance(ctx, s.pool, hub, p.Instance)
}

func (s *Store) raiseEvent(ctx context.Context, hub string, now port.Time, p port.SQLRaiseEvent) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if name, ok := port.SQLEntityName(p.Instance); ok {
			if _, err := tx.Exec(ctx, `INSERT INTO `+s.t("instances")+` (task_hub, instance_id, execution_id, name, runtime_status,
				created_time, last_updated_time) VALUES ($1, $2, 'entity', $3, $4, $5, $5) ON CONFLICT (task_hub, instance_id) DO NOTHING`,
				hub, p.Instance, name, port.SQLPending, int64(now)); err != nil {
				return err
			}
		}
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM `+s.t("instances")+` WHERE task_hub = $1 AND instance_id = $2`, hub, p.Instance).Scan(&one)
		if err == pgx.ErrNoRows {
			return fmt.Errorf("postgres: raise event for %s: the instance does not exist: %w", p.Instance, port.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if p.Request != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO `+s.t("requests")+` (task_hub, instance_id, request_id) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, hub, p.Instance, p.Request)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return nil // a retried call that took effect
			}
		}
		return s.insertEvents(ctx, tx, hub, []port.SQLNewEvent{{Instance: p.Instance, Event: p.Event}})
	})
}

// lockNextOrchestration: the first visible event (in sequence order) whose
// instance's lock is free; instance rows other transactions hold are
// skipped (FOR UPDATE ... SKIP LOCKED, the port of READPAST).
func (s *Store) lockNextOrchestration(ctx context.Context, hub string, now port.Time, p port.SQLLockNextOrchestration) (any, error) {
	if p.Lock <= 0 || p.Batch <= 0 || p.Owner == "" {
		return nil, port.BadRequest("SQLLockNextOrchestration", fmt.Sprintf("Owner=%q Lock=%d Batch=%d", p.Owner, p.Lock, p.Batch),
			"an owner, Lock > 0, Batch > 0")
	}
	var w port.SQLWorkItem
	err := s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT i.instance_id FROM `+s.t("new_events")+` e JOIN `+s.t("instances")+` i
			ON i.task_hub = e.task_hub AND i.instance_id = e.instance_id
			WHERE e.task_hub = $1 AND e.visible_time <= $2 AND (i.lock_expiration IS NULL OR i.lock_expiration <= $2)
			ORDER BY e.sequence_number LIMIT 1 FOR UPDATE OF i SKIP LOCKED`, hub, int64(now)).Scan(&w.Instance)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		exp := int64(now + p.Lock)
		if err := tx.QueryRow(ctx, `UPDATE `+s.t("instances")+` SET locked_by = $3, lock_expiration = $4
			WHERE task_hub = $1 AND instance_id = $2 RETURNING name, execution_id, runtime_status`,
			hub, w.Instance, p.Owner, exp).Scan(&w.Name, &w.Exec, &w.Status); err != nil {
			return err
		}
		w.Found, w.LockExpires = true, port.Time(exp)
		if w.Events, err = s.lockedEvents(ctx, tx, hub, w.Instance, now, p.Batch); err != nil {
			return err
		}
		w.History, err = s.history(ctx, tx, hub, w.Instance)
		return err
	})
	return w, err
}

func (s *Store) lockedEvents(ctx context.Context, tx pgx.Tx, hub, inst string, now port.Time, batch int) ([]port.SQLEvent, error) {
	rows, err := tx.Query(ctx, `UPDATE `+s.t("new_events")+` SET dequeue_count = dequeue_count + 1
		WHERE task_hub = $1 AND instance_id = $2 AND sequence_number IN (
			SELECT sequence_number FROM `+s.t("new_events")+` WHERE task_hub = $1 AND instance_id = $2 AND visible_time <= $3
			ORDER BY sequence_number LIMIT $4)
		RETURNING sequence_number, execution_id, visible_time, dequeue_count, event`, hub, inst, int64(now), batch)
	if err != nil {
		return nil, err
	}
	var out []port.SQLEvent
	for rows.Next() {
		var e port.SQLEvent
		var vis int64
		if err := rows.Scan(&e.Seq, &e.Exec, &vis, &e.Dequeues, &e.Event); err != nil {
			rows.Close()
			return nil, err
		}
		e.Visible = port.Time(vis)
		out = append(out, e)
	}
	rows.Close()
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, rows.Err()
}

func (s *Store) history(ctx context.Context, q querier, hub, inst string) ([]port.SQLHistoryRow, error) {
	rows, err := q.Query(ctx, `SELECT execution_id, sequence_number, event FROM `+s.t("history")+`
		WHERE task_hub = $1 AND instance_id = $2 ORDER BY execution_id, sequence_number`, hub, inst)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []port.SQLHistoryRow
	for rows.Next() {
		var r port.SQLHistoryRow
		if err := rows.Scan(&r.Exec, &r.Seq, &r.Event); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) lockNextTask(ctx context.Context, hub string, now port.Time, p port.SQLLockNextTask) (any, error) {
	if p.Lock <= 0 || p.Owner == "" {
		return nil, port.BadRequest("SQLLockNextTask", fmt.Sprintf("Owner=%q Lock=%d", p.Owner, p.Lock), "an owner, Lock > 0")
	}
	var t port.SQLTask
	err := s.pool.QueryRow(ctx, `UPDATE `+s.t("new_tasks")+` SET locked_by = $2, lock_expiration = $4, dequeue_count = dequeue_count + 1
		WHERE task_hub = $1 AND sequence_number = (
			SELECT sequence_number FROM `+s.t("new_tasks")+` WHERE task_hub = $1 AND (lock_expiration IS NULL OR lock_expiration <= $3)
			ORDER BY sequence_number LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING sequence_number, instance_id, execution_id, dequeue_count, event`,
		hub, p.Owner, int64(now), int64(now+p.Lock)).Scan(&t.Seq, &t.Instance, &t.Exec, &t.Dequeues, &t.Event)
	if err == pgx.ErrNoRows {
		return port.SQLTask{}, nil
	}
	if err != nil {
		return nil, err
	}
	t.Found = true
	return t, nil
}

// completeTasks: results go in only for instances whose execution runs
// or is suspended
// (their rows held FOR SHARE, the port of HOLDLOCK); a task already gone
// rolls everything back.
func (s *Store) completeTasks(ctx context.Context, hub string, p port.SQLCompleteTasks) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		for _, r := range p.Results {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM `+s.t("instances")+` WHERE task_hub = $1 AND instance_id = $2
				AND execution_id = $3 AND runtime_status IN ($4, $5) FOR SHARE`, hub, r.Instance, r.Exec, port.SQLRunning, port.SQLSuspended).Scan(&one)
			if err == pgx.ErrNoRows {
				continue
			}
			if err != nil {
				return err
			}
			if err := s.insertEvents(ctx, tx, hub, []port.SQLNewEvent{r}); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `DELETE FROM `+s.t("new_tasks")+` WHERE task_hub = $1 AND sequence_number = ANY($2)`, hub, p.Seqs)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != int64(len(p.Seqs)) {
			return fmt.Errorf("postgres: complete tasks %v: %d of them are gone (completed by another worker): %w",
				p.Seqs, int64(len(p.Seqs))-tag.RowsAffected(), port.ErrDuplicateExecution)
		}
		return nil
	})
}

func (s *Store) discardEvents(ctx context.Context, hub string, now port.Time, p port.SQLDiscardEvents) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t("new_events")+` WHERE task_hub = $1 AND instance_id = $2 AND sequence_number = ANY($3)`,
			hub, p.Instance, p.Deleted); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE `+s.t("instances")+` SET lock_expiration = NULL, last_updated_time = $3
			WHERE task_hub = $1 AND instance_id = $2`, hub, p.Instance, int64(now))
		return err
	})
}

func (s *Store) queryInstance(ctx context.Context, q querier, hub, inst string) (port.SQLInstance, error) {
	r := port.SQLInstance{Instance: inst}
	var parent, lockedBy *string
	var lockExp *int64
	var created, updated int64
	err := q.QueryRow(ctx, `SELECT i.name, i.execution_id, i.runtime_status, i.failure, i.created_time, i.last_updated_time,
			i.locked_by, i.lock_expiration, i.parent_instance_id, pi.data, po.data, pc.data,
			(SELECT count(*) FROM `+s.t("new_events")+` e WHERE e.task_hub = i.task_hub AND e.instance_id = i.instance_id),
			(SELECT count(*) FROM `+s.t("history")+` h WHERE h.task_hub = i.task_hub AND h.instance_id = i.instance_id)
		FROM `+s.t("instances")+` i
		LEFT JOIN `+s.t("payloads")+` pi ON pi.task_hub = i.task_hub AND pi.instance_id = i.instance_id AND pi.payload_id = i.input_payload_id
		LEFT JOIN `+s.t("payloads")+` po ON po.task_hub = i.task_hub AND po.instance_id = i.instance_id AND po.payload_id = i.output_payload_id
		LEFT JOIN `+s.t("payloads")+` pc ON pc.task_hub = i.task_hub AND pc.instance_id = i.instance_id AND pc.payload_id = i.custom_status_payload_id
		WHERE i.task_hub = $1 AND i.instance_id = $2`, hub, inst).Scan(&r.Name, &r.Exec, &r.Status, &r.Failure, &created, &updated,
		&lockedBy, &lockExp, &parent, &r.Input, &r.Output, &r.Custom, &r.PendingEvents, &r.History)
	if err == pgx.ErrNoRows {
		return port.SQLInstance{}, nil
	}
	if err != nil {
		return port.SQLInstance{}, err
	}
	r.Found, r.Created, r.Updated = true, port.Time(created), port.Time(updated)
	if lockedBy != nil {
		r.LockedBy = *lockedBy
	}
	if lockExp != nil {
		r.LockExpires = port.Time(*lockExp)
	}
	if parent != nil {
		r.Parent = *parent
	}
	return r, nil
}

// queryInstances lists the ids in bytewise order (COLLATE "C", as the
// engine's pages and continuation tokens compare them), then reads each
// row as queryInstance does.
func (s *Store) queryInstances(ctx context.Context, hub string, q port.SQLQueryInstances) (any, error) {
	if q.Limit < 1 || q.Limit > 1001 {
		return nil, port.BadRequest("SQLQueryInstances.Limit", q.Limit, "1..1001")
	}
	statuses := q.Statuses
	if statuses == nil {
		statuses = []string{}
	}
	rows, err := s.pool.Query(ctx, `SELECT instance_id FROM `+s.t("instances")+`
		WHERE task_hub = $1 AND instance_id COLLATE "C" > $2 AND instance_id NOT LIKE '@%'
			AND (cardinality($3::text[]) = 0 OR runtime_status = ANY($3)) AND starts_with(name, $4)
			AND created_time >= $5 AND ($6 = 0 OR created_time < $6)
		ORDER BY instance_id COLLATE "C" LIMIT $7`, hub, q.After, statuses, q.NamePrefix, int64(q.CreatedFrom), int64(q.CreatedTo), q.Limit)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []port.SQLInstance{}
	for _, id := range ids {
		r, err := s.queryInstance(ctx, s.pool, hub, id)
		if err != nil {
			return nil, err
		}
		if r.Found {
			out = append(out, r)
		}
	}
	return out, nil
}

// children lists the instances whose parent is inst, in bytewise order.
func (s *Store) children(ctx context.Context, tx pgx.Tx, hub, inst string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT instance_id FROM `+s.t("instances")+`
		WHERE task_hub = $1 AND parent_instance_id = $2 ORDER BY instance_id COLLATE "C"`, hub, inst)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Store) purgeInstance(ctx context.Context, hub string, p port.SQLPurgeInstance) (any, error) {
	var row port.SQLInstance
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		if row, err = s.queryInstance(ctx, tx, hub, p.Instance); err != nil || !row.Found {
			return err
		}
		if !port.SQLDone(row.Status) {
			return fmt.Errorf("postgres: purge %s: instance is %s, not finished: %w", p.Instance, row.Status, port.ErrConflict)
		}
		if p.Children {
			if row.Children, err = s.children(ctx, tx, hub, p.Instance); err != nil {
				return err
			}
		}
		return s.purge(ctx, tx, hub, p.Instance)
	})
	return row, err
}
