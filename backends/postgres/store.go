package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dflab/dflab/engine/port"
)

// Options configure a Store.
type Options struct {
	// Schema is the PostgreSQL schema holding the tables (default "dt").
	Schema string
	// MaxConns bounds the pool (default 16).
	MaxConns int32
	// Clock is the time the procedures use (default the wall clock).
	Clock func() port.Time
}

// Store is a PostgreSQL database serving the relational port.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	clock  func() port.Time
}

var _ port.Relational = (*Store)(nil)

var schemaRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,40}$`)

// Open connects to the database named by connString (a postgres:// URL or
// key=value string) and checks the connection.
func Open(ctx context.Context, connString string, o Options) (*Store, error) {
	if o.Schema == "" {
		o.Schema = "dt"
	}
	if !schemaRE.MatchString(o.Schema) {
		return nil, fmt.Errorf("postgres: Options.Schema = %q: allowed 1..41 of [a-z0-9_], not starting with a digit", o.Schema)
	}
	if o.MaxConns == 0 {
		o.MaxConns = 16
	}
	if o.Clock == nil {
		o.Clock = func() port.Time { return port.Time(time.Now().UnixNano()) }
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection string: %w", err)
	}
	cfg.MaxConns = o.MaxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &Store{pool: pool, schema: o.Schema, clock: o.Clock}, nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Stores returns the store as port.Stores.
func (s *Store) Stores() *port.Stores { return &port.Stores{SQL: s} }

// Exec implements port.Relational.
func (s *Store) Exec(ctx context.Context, hub string, p port.Proc) (any, error) {
	now := s.clock()
	var res any
	var err error
	switch v := p.(type) {
	case port.SQLCreateSchema:
		err = s.createSchema(ctx)
	case port.SQLCreateInstance:
		res, err = s.createInstance(ctx, hub, now, v)
	case port.SQLRaiseEvent:
		err = s.raiseEvent(ctx, hub, now, v)
	case port.SQLLockNextOrchestration:
		res, err = s.lockNextOrchestration(ctx, hub, now, v)
	case port.SQLCheckpoint:
		err = s.checkpoint(ctx, hub, now, v)
	case port.SQLDiscardEvents:
		err = s.discardEvents(ctx, hub, now, v)
	case port.SQLLockNextTask:
		res, err = s.lockNextTask(ctx, hub, now, v)
	case port.SQLCompleteTasks:
		err = s.completeTasks(ctx, hub, v)
	case port.SQLQueryInstance:
		res, err = s.queryInstance(ctx, s.pool, hub, v.Instance)
	case port.SQLPurgeInstance:
		res, err = s.purgeInstance(ctx, hub, v)
	case port.SQLQueryInstances:
		res, err = s.queryInstances(ctx, hub, v)
	default:
		return nil, port.BadRequest("procedure", fmt.Sprintf("%T", p), "a port.SQL* procedure")
	}
	if err != nil {
		return res, mapErr(p.ProcName(), err)
	}
	return res, nil
}

// mapErr maps PostgreSQL errors to the port's sentinels.
func mapErr(proc string, err error) error {
	if errors.Is(err, port.ErrConflict) || errors.Is(err, port.ErrNotFound) || errors.Is(err, port.ErrBadRequest) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "42P01", "3F000": // undefined_table, invalid_schema_name
			return fmt.Errorf("postgres: %s: %w (%s)", proc, port.ErrNoSchema, pe.Message)
		case "40P01", "40001", "57014", "53300": // deadlock, serialization, canceled, too many connections
			return fmt.Errorf("postgres: %s: %w: %s (%s)", proc, port.ErrTransient, pe.Message, pe.Code)
		}
		return fmt.Errorf("postgres: %s: %s (SQLSTATE %s)", proc, pe.Message, pe.Code)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: %s: %w", proc, err)
	}
	return fmt.Errorf("postgres: %s: %w: %v", proc, port.ErrTransient, err)
}

func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// tx runs f in one transaction, committed if f returns nil.
func (s *Store) tx(ctx context.Context, f func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, f)
}

// t names a table of the store's schema.
func (s *Store) t(name string) string { return s.schema + "." + name }

func (s *Store) createSchema(ctx context.Context) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		// Workers create the schema at once: serialize them.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "dflab-schema:"+s.schema); err != nil {
			return err
		}
		for _, stmt := range schemaSQL(s.schema) {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", stmt[:min(len(stmt), 60)], err)
			}
		}
		return nil
	})
}

// schemaSQL is the schema: the provider's tables (schema-1.0.0.sql),
// without foreign keys as the provider dropped them, TaskHub first in
// every key.
func schemaSQL(schema string) []string {
	t := func(n string) string { return schema + "." + n }
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + schema,
		`CREATE TABLE IF NOT EXISTS ` + t("instances") + ` (
			task_hub text NOT NULL, instance_id text NOT NULL, execution_id text NOT NULL, name text NOT NULL,
			runtime_status text NOT NULL, parent_instance_id text, failure text NOT NULL DEFAULT '',
			created_time bigint NOT NULL, last_updated_time bigint NOT NULL, completed_time bigint,
			locked_by text, lock_expiration bigint,
			input_payload_id text, output_payload_id text, custom_status_payload_id text,
			PRIMARY KEY (task_hub, instance_id))`,
		`CREATE TABLE IF NOT EXISTS ` + t("new_events") + ` (
			sequence_number bigserial, task_hub text NOT NULL, instance_id text NOT NULL, execution_id text NOT NULL DEFAULT '',
			visible_time bigint NOT NULL DEFAULT 0, dequeue_count int NOT NULL DEFAULT 0, event bytea NOT NULL,
			PRIMARY KEY (task_hub, instance_id, sequence_number))`,
		`CREATE INDEX IF NOT EXISTS new_events_scan ON ` + t("new_events") + ` (task_hub, sequence_number)`,
		`CREATE TABLE IF NOT EXISTS ` + t("history") + ` (
			task_hub text NOT NULL, instance_id text NOT NULL, execution_id text NOT NULL, sequence_number int NOT NULL,
			event bytea NOT NULL,
			PRIMARY KEY (task_hub, instance_id, execution_id, sequence_number))`,
		`CREATE TABLE IF NOT EXISTS ` + t("new_tasks") + ` (
			sequence_number bigserial, task_hub text NOT NULL, instance_id text NOT NULL, execution_id text NOT NULL,
			event bytea NOT NULL, locked_by text, lock_expiration bigint, dequeue_count int NOT NULL DEFAULT 0,
			PRIMARY KEY (task_hub, sequence_number))`,
		`CREATE TABLE IF NOT EXISTS ` + t("payloads") + ` (
			task_hub text NOT NULL, instance_id text NOT NULL, payload_id text NOT NULL, data bytea NOT NULL,
			PRIMARY KEY (task_hub, instance_id, payload_id))`,
		// Client raise requests seen (SQLRaiseEvent.Request), so that a
		// retried call inserts its event once.
		`CREATE TABLE IF NOT EXISTS ` + t("requests") + ` (
			task_hub text NOT NULL, instance_id text NOT NULL, request_id text NOT NULL,
			PRIMARY KEY (task_hub, instance_id, request_id))`,
	}
}
