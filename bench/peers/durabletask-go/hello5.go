package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
	"github.com/microsoft/durabletask-go/api"
	"github.com/microsoft/durabletask-go/backend"
	"github.com/microsoft/durabletask-go/backend/sqlite"
	"github.com/microsoft/durabletask-go/task"
)

// cities are Hello5's activity inputs, in call order.
var cities = []string{"Tokyo", "Seattle", "London", "Amsterdam", "Mumbai"}

// runner starts and awaits one Hello5 instance with the given id.
type runner interface {
	run(ctx context.Context, id string) error
	stop() error
}

// peer is one configuration of the comparison.
type peer struct {
	name  string
	start func(ctx context.Context, dir string) (runner, error)
}

// peers are the configurations, the baseline (ratios' denominator) first.
var peers = []peer{
	{"durabletask-go/sqlite-mem", func(ctx context.Context, _ string) (runner, error) { return startDTGo(ctx, "") }},
	{"durabletask-go/sqlite-file", func(ctx context.Context, dir string) (runner, error) {
		return startDTGo(ctx, filepath.Join(dir, "taskhub.sqlite"))
	}},
	{"dflab/netherite-mem", func(ctx context.Context, _ string) (runner, error) {
		return startDflab(ctx, dflab.Options{Engine: "netherite", Storage: "mem"})
	}},
	{"dflab/netherite-disk", func(ctx context.Context, dir string) (runner, error) {
		return startDflab(ctx, dflab.Options{Engine: "netherite", Storage: "disk", Dir: dir})
	}},
}

func peerByName(name string) (peer, error) {
	var names []string
	for _, p := range peers {
		if p.name == name {
			return p, nil
		}
		names = append(names, p.name)
	}
	return peer{}, fmt.Errorf("peer %q: want one of %v", name, names)
}

// dtgo is durabletask-go's in-process worker and client on SQLite.
type dtgo struct {
	client backend.TaskHubClient
	worker backend.TaskHubWorker
}

func startDTGo(ctx context.Context, file string) (runner, error) {
	r := task.NewTaskRegistry()
	if err := r.AddOrchestratorN("Hello5", dtgoHello5); err != nil {
		return nil, err
	}
	if err := r.AddActivityN("SayHello", dtgoSayHello); err != nil {
		return nil, err
	}
	log := quiet{}
	exec := task.NewTaskExecutor(r)
	be := sqlite.NewSqliteBackend(sqlite.NewSqliteOptions(file), log)
	w := backend.NewTaskHubWorker(be, backend.NewOrchestrationWorker(be, exec, log),
		backend.NewActivityTaskWorker(be, exec, log), log)
	if err := w.Start(ctx); err != nil {
		return nil, fmt.Errorf("durabletask-go worker: %w", err)
	}
	return &dtgo{client: backend.NewTaskHubClient(be), worker: w}, nil
}

func dtgoHello5(ctx *task.OrchestrationContext) (any, error) {
	out := make([]string, 0, len(cities))
	for _, c := range cities {
		var s string
		if err := ctx.CallActivity("SayHello", task.WithActivityInput(c)).Await(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func dtgoSayHello(ctx task.ActivityContext) (any, error) {
	var city string
	err := ctx.GetInput(&city)
	return "Hello " + city + "!", err
}

func (d *dtgo) run(ctx context.Context, id string) error {
	iid, err := d.client.ScheduleNewOrchestration(ctx, "Hello5", api.WithInstanceID(api.InstanceID(id)))
	if err != nil {
		return err
	}
	md, err := d.client.WaitForOrchestrationCompletion(ctx, iid)
	if err != nil {
		return err
	}
	if md.RuntimeStatus != api.RUNTIME_STATUS_COMPLETED {
		return fmt.Errorf("%s: status %v, failure %v", id, md.RuntimeStatus, md.FailureDetails)
	}
	return nil
}

func (d *dtgo) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.worker.Shutdown(ctx)
}

// quiet drops durabletask-go's log lines (they would cost it time and
// flood the output; its users tune logging too).
type quiet struct{}

func (quiet) Debug(...any)          {}
func (quiet) Debugf(string, ...any) {}
func (quiet) Info(...any)           {}
func (quiet) Infof(string, ...any)  {}
func (quiet) Warn(...any)           {}
func (quiet) Warnf(string, ...any)  {}
func (quiet) Error(...any)          {}
func (quiet) Errorf(string, ...any) {}

// dflabRunner is a dflab engine started through the facade.
type dflabRunner struct{ e *dflab.Engine }

func startDflab(ctx context.Context, o dflab.Options) (runner, error) {
	reg := durable.NewRegistry()
	if err := reg.AddActivity("SayHello", func(ctx durable.ActivityContext) (any, error) {
		var city string
		err := ctx.GetInput(&city)
		return "Hello " + city + "!", err
	}); err != nil {
		return nil, err
	}
	if err := reg.AddOrchestrator("Hello5", func(ctx *durable.OrchestrationContext) (any, error) {
		out := make([]string, 0, len(cities))
		for _, c := range cities {
			var s string
			if err := ctx.CallActivity("SayHello", c).Await(&s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}); err != nil {
		return nil, err
	}
	e, err := dflab.Start(ctx, reg, o)
	if err != nil {
		return nil, fmt.Errorf("dflab: %w", err)
	}
	return &dflabRunner{e: e}, nil
}

func (d *dflabRunner) run(ctx context.Context, id string) error {
	c := d.e.Client()
	iid, err := c.Start(ctx, "Hello5", nil, durable.StartWithID(id))
	if err != nil {
		return err
	}
	st, err := c.Wait(ctx, iid)
	if err != nil {
		return err
	}
	if st.Status != durable.StatusCompleted {
		return fmt.Errorf("%s: %s %s", id, st.Status, st.Failure)
	}
	return nil
}

func (d *dflabRunner) stop() error { return d.e.Stop() }

// tempDir is a fresh directory for one configuration's files.
func tempDir() (string, func(), error) {
	dir, err := os.MkdirTemp("", "dflab-peers-*")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}
