package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dflab/dflab/engine/port"
)

// checkpoint commits an orchestration step in one transaction, in the
// provider's order (_CheckpointOrchestration): a new execution drops the
// old history and payloads; payloads; the instance (lock released);
// sub-orchestration instances; outgoing events; consumed events deleted;
// history (a unique violation is a duplicate execution: everything rolls
// back); new tasks.
func (s *Store) checkpoint(ctx context.Context, hub string, now port.Time, p port.SQLCheckpoint) error {
	if p.Exec == "" {
		return port.BadRequest("SQLCheckpoint.Exec", `""`, "the execution id")
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var exec string
		var in, out, custom *string
		err := tx.QueryRow(ctx, `SELECT execution_id, input_payload_id, output_payload_id, custom_status_payload_id FROM `+s.t("instances")+`
			WHERE task_hub = $1 AND instance_id = $2 FOR UPDATE`, hub, p.Instance).Scan(&exec, &in, &out, &custom)
		if err == pgx.ErrNoRows {
			return fmt.Errorf("postgres: checkpoint %s: the instance does not exist: %w", p.Instance, port.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if p.Read != "" && exec != p.Read {
			return fmt.Errorf("postgres: checkpoint %s: the step read execution %s, the instance is at %s: %w",
				p.Instance, p.Read, exec, port.ErrDuplicateExecution)
		}
		if exec != p.Exec {
			if _, err := tx.Exec(ctx, `DELETE FROM `+s.t("history")+` WHERE task_hub = $1 AND instance_id = $2`, hub, p.Instance); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM `+s.t("payloads")+` WHERE task_hub = $1 AND instance_id = $2 AND payload_id = ANY($3)`,
				hub, p.Instance, ids(in, out, custom)); err != nil {
				return err
			}
			in, out, custom = nil, nil, nil
		}
		if err := s.checkpointInstance(ctx, tx, hub, now, p, in, out, custom); err != nil {
			return err
		}
		return s.checkpointRows(ctx, tx, hub, now, p)
	})
	if isUnique(err) {
		return fmt.Errorf("postgres: checkpoint %s: History primary key exists: %w", p.Instance, port.ErrDuplicateExecution)
	}
	return err
}

func ids(ps ...*string) []string {
	var out []string
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func (s *Store) checkpointInstance(ctx context.Context, tx pgx.Tx, hub string, now port.Time, p port.SQLCheckpoint, in, out, custom *string) error {
	var err error
	if p.Input != nil {
		if in, err = s.putPayload(ctx, tx, hub, p.Instance, p.Exec+"/input", p.Input); err != nil {
			return err
		}
	}
	if p.Custom != nil {
		if custom, err = s.putPayload(ctx, tx, hub, p.Instance, p.Exec+"/custom", p.Custom); err != nil {
			return err
		}
	}
	if p.Output != nil {
		if out, err = s.putPayload(ctx, tx, hub, p.Instance, p.Exec+"/output", p.Output); err != nil {
			return err
		}
	}
	var completed *int64
	if port.SQLDone(p.Status) {
		n := int64(now)
		completed = &n
	}
	lock := "NULL"
	if p.KeepLock {
		lock = "lock_expiration"
	}
	_, err = tx.Exec(ctx, `UPDATE `+s.t("instances")+` SET execution_id = $3, runtime_status = $4, failure = $5,
		last_updated_time = $6, completed_time = $7, lock_expiration = `+lock+`,
		input_payload_id = $8, output_payload_id = $9, custom_status_payload_id = $10
		WHERE task_hub = $1 AND instance_id = $2`,
		hub, p.Instance, p.Exec, p.Status, p.Failure, int64(now), completed, in, out, custom)
	return err
}

func (s *Store) checkpointRows(ctx context.Context, tx pgx.Tx, hub string, now port.Time, p port.SQLCheckpoint) error {
	for _, st := range p.Starts {
		tag, err := tx.Exec(ctx, `INSERT INTO `+s.t("instances")+` (task_hub, instance_id, execution_id, name, runtime_status,
			parent_instance_id, created_time, last_updated_time, input_payload_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
			ON CONFLICT (task_hub, instance_id) DO NOTHING`,
			hub, st.Instance, st.Exec, st.Name, port.SQLPending, st.Parent, int64(now), st.Exec+"/input")
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			if _, err := s.putPayload(ctx, tx, hub, st.Instance, st.Exec+"/input", nz(st.Input)); err != nil {
				return err
			}
		}
	}
	if err := s.insertEvents(ctx, tx, hub, p.Events); err != nil {
		return err
	}
	if len(p.Deleted) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM `+s.t("new_events")+` WHERE task_hub = $1 AND instance_id = $2 AND sequence_number = ANY($3)`,
			hub, p.Instance, p.Deleted); err != nil {
			return err
		}
	}
	for _, h := range p.History {
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t("history")+` (task_hub, instance_id, execution_id, sequence_number, event)
			VALUES ($1, $2, $3, $4, $5)`, hub, p.Instance, h.Exec, h.Seq, nz(h.Event)); err != nil {
			return err
		}
	}
	for _, t := range p.Tasks {
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.t("new_tasks")+` (task_hub, instance_id, execution_id, event) VALUES ($1, $2, $3, $4)`,
			hub, t.Instance, t.Exec, nz(t.Event)); err != nil {
			return err
		}
	}
	return nil
}
