package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	sqlsys "github.com/dflab/dflab/systems/sql"
)

func TestSQLSuite(t *testing.T) {
	for _, sc := range SQLSuite() {
		t.Run(sc.Name, func(t *testing.T) {
			e := &sqlsys.Sim{VCores: 2, Seed: 3}
			res, err := Run(e, sc, Options{Seed: 7})
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
			require.Empty(t, res.Violations)
			require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered once")
			t.Logf("%s: done at %v virtual, %d events, %d storage requests", sc.Name, res.End, res.Events, res.Stats.Requests)
		})
	}
}

func TestSQLSameSeedSameTrace(t *testing.T) {
	sc := Hello5(4)
	run := func(seed uint64) uint64 {
		res, err := Run(&sqlsys.Sim{Seed: seed}, sc, Options{Seed: seed})
		require.NoError(t, err)
		require.NoError(t, res.Check(sc))
		return res.TraceHash
	}
	a, b := run(11), run(11)
	require.Equal(t, a, b, "same seed, same trace hash")
	require.NotEqual(t, a, run(12), "another seed, another trace")
}

// A worker node crashes mid-run and restarts: the work items it held stay
// locked until their locks expire (2 min), then another poll takes them;
// every scenario completes as without the crash.
//
// PurgeAndWaitRefusals' answers are those of a run in which purge-done
// completes before its purge at 500 ms, so it runs with the lock timeout
// set short (crashLock): a lock the crashed worker held expires in virtual
// time before the refusals are asked, and the answers are the same as
// without the crash. TestSQLCrashHoldsLocksUntilExpiry shows that lock is
// really held.
func TestSQLCrashRecovery(t *testing.T) {
	for _, sc := range SQLSuite() {
		var lock port.Time // the default, 2 min
		if sc.Name == "PurgeAndWaitRefusals" {
			lock = crashLock
		}
		for _, crashAt := range []port.Time{5 * ms, 20 * ms, 300 * ms} {
			sc := withCrash(sc, crashAt, 50*ms)
			sc.Deadline = 10 * 60 * port.Second
			t.Run(fmt.Sprintf("%s@%v", sc.Name, crashAt), func(t *testing.T) {
				res, err := Run(&sqlsys.Sim{Seed: 3, LockTimeout: lock}, sc, Options{Seed: 7})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				require.Equal(t, uint64(1), res.Stats.Crashes)
				require.Empty(t, res.Violations)
			})
		}
	}
}

// crashLock is the lock timeout of the crash runs whose answers are timed:
// shorter than the time between a crash and the answers it could change.
const crashLock = 100 * ms

// The crash at 5 ms takes down the worker that holds purge-done's lock:
// with the default lock timeout (2 min) the instance stays locked past its
// raise, so the purge at 500 ms is refused as not finished and the status
// at 600 ms still finds it; with crashLock the lock expires, another
// worker takes the events, and every answer is as without the crash.
func TestSQLCrashHoldsLocksUntilExpiry(t *testing.T) {
	sc := withCrash(PurgeAndWaitRefusals(), 5*ms, 50*ms)
	sc.Deadline = 10 * 60 * port.Second
	answers := func(lock port.Time) *Result {
		res, err := Run(&sqlsys.Sim{Seed: 3, LockTimeout: lock}, sc, Options{Seed: 7})
		require.NoError(t, err)
		require.Equal(t, uint64(1), res.Stats.Crashes)
		require.Empty(t, res.Violations)
		return res
	}
	err := answers(0).Check(sc)
	require.ErrorContains(t, err, `call 8 (purge purge-done): error "sql: purge purge-done: instance is not finished`)
	require.ErrorContains(t, err, "call 9 (status purge-done): found")
	require.NoError(t, answers(crashLock).Check(sc))
}
