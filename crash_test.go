package dflab_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/internal/azurite"
	"github.com/dflab/dflab/internal/postgres"
	"github.com/stretchr/testify/require"
)

var counter = durable.EntityID{Name: "Counter", Key: "c"}

// crashRegistry: each Work orchestration runs an activity, then tells a
// counter entity that instance n got there; the counter keeps how many
// times each n's update applied, so exactly-once shows as 1 for each
// completed instance.
func crashRegistry(t testing.TB) *durable.Registry {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddActivity("Square", func(ctx durable.ActivityContext) (any, error) {
		var n int
		err := ctx.GetInput(&n)
		return n * n, err
	}))
	require.NoError(t, reg.AddOrchestrator("Work", func(ctx *durable.OrchestrationContext) (any, error) {
		var n, sq int
		if err := ctx.GetInput(&n); err != nil {
			return nil, err
		}
		if err := ctx.CallActivity("Square", n).Await(&sq); err != nil {
			return nil, err
		}
		return sq, ctx.CallEntity(counter, "add", n).Await(nil)
	}))
	require.NoError(t, reg.AddEntity("Counter", func(ctx *durable.EntityContext) error {
		applied := map[int]int{}
		if err := ctx.GetState(&applied); err != nil {
			return err
		}
		if ctx.Operation() == "add" {
			var n int
			if err := ctx.GetInput(&n); err != nil {
				return err
			}
			applied[n]++
			return ctx.SetState(applied)
		}
		return ctx.Return(applied)
	}))
	return reg
}

// The child's environment: which case it runs and where that case's engine
// keeps its state. The parent owns the state (a directory, an Azurite
// server), so that it outlives the child.
const (
	crashCaseEnv      = "DFLAB_CRASH_CHILD_CASE"
	crashDirEnv       = "DFLAB_CRASH_CHILD_DIR"
	crashConnEnv      = "DFLAB_CRASH_CHILD_CONN" // an Azure Storage connection string
	crashNamespaceEnv = "DFLAB_CRASH_CHILD_NAMESPACE"
)

// crashStorage is where a crash case keeps its state.
type crashStorage struct{ Dir, Conn, Namespace string }

func (s crashStorage) environ() []string {
	return []string{crashDirEnv + "=" + s.Dir, crashConnEnv + "=" + s.Conn, crashNamespaceEnv + "=" + s.Namespace}
}

func crashStorageFromEnv() crashStorage {
	return crashStorage{Dir: os.Getenv(crashDirEnv), Conn: os.Getenv(crashConnEnv), Namespace: os.Getenv(crashNamespaceEnv)}
}

// crashCase is an engine on durable storage: storage prepares the storage
// in the parent, options opens it (in the child and in the parent).
type crashCase struct {
	name    string
	storage func(t *testing.T) crashStorage
	options func(s crashStorage) dflab.Options
	// noLeases: the engine holds no leases (the sql engine's locks are
	// rows that expire).
	noLeases bool
}

var crashCases = []crashCase{
	{
		name:    "netherite-disk",
		storage: func(t *testing.T) crashStorage { return crashStorage{Dir: t.TempDir()} },
		options: func(s crashStorage) dflab.Options {
			return dflab.Options{Engine: "netherite", Storage: "disk", Dir: s.Dir, Partitions: 4}
		},
	},
	{
		// The restarted worker has the killed one's id, so it takes the
		// control-queue leases back at once (acquiring with the active
		// lease's id succeeds); the messages and work items the killed
		// worker had dequeued reappear after Visibility.
		name:    "original-azurite",
		storage: func(t *testing.T) crashStorage { return crashStorage{Conn: azurite.Start(t), Namespace: "crash"} },
		options: func(s crashStorage) dflab.Options {
			return dflab.Options{Engine: "original", Storage: "azure", ConnectionString: s.Conn, Namespace: s.Namespace,
				ControlQueues: 4, MaxPoll: 100 * time.Millisecond, Visibility: 2 * time.Second}
		},
	},
	{
		// The killed worker's locked instances and tasks stay locked until
		// their locks expire (10s here, the provider's minimum), then the
		// restarted worker takes them.
		name: "sql-postgres",
		storage: func(t *testing.T) crashStorage {
			return crashStorage{Conn: postgres.Start(t).ConnString(), Namespace: "crash"}
		},
		options: func(s crashStorage) dflab.Options {
			return dflab.Options{Engine: "sql", Storage: "postgres", ConnectionString: s.Conn, Namespace: s.Namespace,
				Knobs: map[string]string{"lockTimeout": "10s"}}
		},
		noLeases: true,
	},
}

func crashCaseNamed(t *testing.T, name string) crashCase {
	for _, c := range crashCases {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("%s = %q: no such case", crashCaseEnv, name)
	return crashCase{}
}

// TestCrashChild is the process that gets killed: it starts Work instances
// with 8 callers and prints "ack <n>" once a start is acknowledged.
func TestCrashChild(t *testing.T) {
	name := os.Getenv(crashCaseEnv)
	if name == "" {
		t.Skip("runs only as the child of TestSIGKILLLosesNothingAcknowledged")
	}
	ctx := context.Background()
	e, err := dflab.Start(ctx, crashRegistry(t), crashCaseNamed(t, name).options(crashStorageFromEnv()))
	require.NoError(t, err)
	next := make(chan int)
	for w := 0; w < 8; w++ {
		go func() {
			for n := range next {
				if _, err := e.Client().Start(ctx, "Work", n, durable.StartWithID(fmt.Sprintf("w%d", n))); err == nil {
					fmt.Printf("ack %d\n", n)
				}
			}
		}()
	}
	for n := 0; ; n++ {
		next <- n
	}
}

// An engine on durable storage (Netherite on disk, the original engine on
// Azurite, the sql engine on PostgreSQL) is killed with SIGKILL while starting and running
// orchestrations; restarted on the same storage it completes every
// acknowledged instance, and each completed instance's entity update
// happened exactly once.
func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for _, c := range crashCases {
		t.Run(c.name, func(t *testing.T) { testSIGKILL(t, c) })
	}
}

func testSIGKILL(t *testing.T, c crashCase) {
	storage := c.storage(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), crashCaseEnv+"="+c.name), storage.environ()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	acked := map[int]bool{}
	var other []string // the child's other output, for a failure message
	lines := bufio.NewScanner(out)
	for lines.Scan() && len(acked) < 150 {
		var n int
		if _, err := fmt.Sscanf(lines.Text(), "ack %d", &n); err == nil {
			acked[n] = true
		} else {
			other = append(other, lines.Text())
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	require.Len(t, acked, 150, "the child stopped before acknowledging 150 starts; its output:\n%s\n%s",
		strings.Join(other, "\n"), stderr.String())
	maxN := 0
	for n := range acked {
		maxN = max(maxN, n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := dflab.Start(ctx, crashRegistry(t), c.options(storage))
	require.NoError(t, err)
	defer func() { require.NoError(t, e.Stop()) }()
	completed := map[int]bool{}
	// The child went on starting instances after the last "ack" read here,
	// so look past maxN until 64 ids in a row are unknown (8 callers keep at
	// most 8 starts in flight). Unacknowledged instances may or may not
	// exist; those that do must complete.
	for n, misses := 0, 0; n <= maxN || misses < 64; n++ {
		id := fmt.Sprintf("w%d", n)
		before, err := e.Client().Status(ctx, id)
		if err != nil {
			require.False(t, acked[n], "acknowledged instance %s lost: %v", id, err)
			require.True(t, strings.Contains(err.Error(), "unknown instance"), "%s: %v", id, err)
			misses++
			continue
		}
		misses = 0
		requireCompletes(ctx, t, e, n, fmt.Sprintf("acknowledged: %v, was %s", acked[n], before.Status))
		completed[n] = true
	}
	// The restarted engine has the killed one's lease ids (the original
	// engine's worker0, Netherite's host/<partition>), so it takes back the
	// leases the killed process held at once instead of waiting for them
	// to expire: no lease acquisition fails.
	if !c.noLeases {
		leases := e.Traffic().Kind("lease-acquire")
		require.Positive(t, leases.Requests)
		require.Zero(t, leases.Errors, "lease acquisitions that failed (held by the killed process)")
	}
	// Each completed instance's entity update applied exactly once. An
	// unacknowledged instance the scan found unknown (its start message
	// sent, its row not yet written) may have run since: its update must
	// have applied once too, and it completes.
	st, err := e.Client().Status(ctx, counter.String())
	require.NoError(t, err)
	var applied map[int]int
	require.NoError(t, json.Unmarshal(st.Output, &applied), "counter state %s", st.Output)
	for n := range completed {
		require.Equal(t, 1, applied[n], "w%d's entity update applied %d times", n, applied[n])
	}
	late := 0
	for n, times := range applied {
		require.Equal(t, 1, times, "w%d's entity update applied %d times", n, times)
		if !completed[n] {
			requireCompletes(ctx, t, e, n, "ran after the scan passed it")
			late++
		}
	}
	t.Logf("%d starts acknowledged (the last w%d); %d instances completed; %d ran after the scan passed them",
		len(acked), maxN, len(completed), late)
}

// requireCompletes waits for instance w<n> and checks its output.
func requireCompletes(ctx context.Context, t *testing.T, e *dflab.Engine, n int, about string) {
	st, err := e.Client().Wait(ctx, fmt.Sprintf("w%d", n))
	require.NoError(t, err, "w%d (%s)", n, about)
	require.Equal(t, durable.StatusCompleted, st.Status, "w%d (%s): %s", n, about, st.Failure)
	require.Equal(t, fmt.Sprint(n*n), string(st.Output), "w%d (%s)", n, about)
}
