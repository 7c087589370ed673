package campaign

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/original"
	sqlengine "github.com/dflab/dflab/engine/sql"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems/builtin"
	nethsys "github.com/dflab/dflab/systems/netherite"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/hello"
	"github.com/dflab/dflab/workloads/workload"
)

// The short campaign of make test: 300 seeds over the three engines, every
// workload and every fault kind the campaign draws, a tenth of them run
// twice; no checker may fail.
func TestShortCampaignHasNoViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("the short campaign takes ~30 s")
	}
	// the engines' draws, as before the alternatives joined (they have
	// campaigns of their own): every fault kind gets drawn
	sum, err := Run(context.Background(), Config{From: 1, Seeds: 300, Setup: Setup{Engines: spec.Engines}})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, sum.Print(&out))
	require.Empty(t, sum.Violations, out.String())
	require.EqualValues(t, 300, sum.Ran)
	require.Equal(t, 30, sum.Twice)
	for _, k := range []plan.Kind{plan.Crash, plan.CrashForever, plan.Restart, plan.StorageError, plan.StorageErrorAfter, plan.Latency,
		plan.Throttle, plan.DuplicateStream, plan.DelayStream, plan.TornTail, plan.Move, plan.LeaseLoss} {
		require.Positive(t, sum.Faults[k], "fault kind %s injected", k)
	}
	require.Contains(t, out.String(), "violations by checker:\n  completion                   0\n")
	require.Contains(t, out.String(), "no violations")

	engines, workloads := map[string]int{}, map[string]int{}
	for seed := uint64(1); seed <= 300; seed++ {
		c, err := Draw(seed, Setup{})
		require.NoError(t, err)
		engines[c.Spec.Engine.Name]++
		workloads[c.Spec.Engine.Name+"/"+c.Spec.Workload.Name]++
	}
	require.Len(t, engines, 5)
	require.Len(t, workloads, 3*len(builtinWorkloads.Names())+3+1, "every workload on the three engines, the workflow service's three, the queue chain's one")
}

// Every planted bug is caught within a bounded number of seeds: proof
// that the checkers can fail. The bound is about twice the seeds the
// slowest bug needed when this was written.
func TestPlantedBugsAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("the planted-bug campaigns take ~20 s")
	}
	const bound = 120
	for _, c := range []struct{ engine, bug string }{
		{spec.EngineNetherite, netherite.PlantedSkipDedup},
		{spec.EngineNetherite, netherite.PlantedSendBeforePersist},
		{spec.EngineNetherite, netherite.PlantedForgetInputPosition},
		{spec.EngineNetherite, netherite.PlantedDropLogTail},
		{spec.EngineNetherite, netherite.PlantedSkipLogSync},
		{spec.EngineOriginal, original.PlantedSkipDedup},
		{spec.EngineOriginal, original.PlantedReleaseLockEarly},
		{spec.EngineOriginal, original.PlantedLoseHistoryRow},
		{spec.EngineSQL, sqlengine.PlantedSkipDuplicateCheck},
		{spec.EngineSQL, sqlengine.PlantedReleaseLockEarly},
	} {
		t.Run(c.engine+"/"+c.bug, func(t *testing.T) {
			su := Setup{Engines: []string{c.engine}, Planted: c.bug}
			sum, err := Run(context.Background(), Config{From: 1, Seeds: bound, Setup: su, TwiceEvery: -1, StopAfter: 1})
			require.NoError(t, err)
			require.NotEmpty(t, sum.Violations, "planted bug %s not caught in %d seeds", c.bug, bound)
			v := sum.Violations[0]
			t.Logf("caught after %d seeds: seed %d [%s] %s", sum.Ran, v.Seed, v.Checker, firstLine(v.Message))
			require.Equal(t, su.ReproCommand(v.Seed), v.Repro)
			require.Contains(t, v.Repro, "--planted "+c.bug)
		})
	}
}

// A seed alone decides its case: the same seed draws the same case, whose
// plan prints and parses back to itself and keeps its faults inside the
// safety phase.
func TestDrawIsDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		a, err := Draw(seed, Setup{})
		require.NoError(t, err)
		b, err := Draw(seed, Setup{})
		require.NoError(t, err)
		require.Equal(t, a, b)
		p, err := plan.Parse(a.Plan.String())
		require.NoError(t, err)
		require.Equal(t, a.Plan.String(), p.String())
		require.Equal(t, a.Plan.String(), a.Spec.Faults)
		for _, f := range a.Plan.Faults {
			require.Less(t, f.At, SafetyPhase, f.String())
			require.LessOrEqual(t, f.Window.To, SafetyPhase, f.String())
		}
	}
	only, err := Draw(5, Setup{Engines: []string{spec.EngineOriginal}})
	require.NoError(t, err)
	require.Equal(t, spec.EngineOriginal, only.Spec.Engine.Name)
}

func TestConfigErrorsNameTheField(t *testing.T) {
	ctx := context.Background()
	_, err := Run(ctx, Config{Seeds: 1, Setup: Setup{Engines: []string{"orig"}}})
	require.ErrorContains(t, err, `engine "orig": allowed: netherite, original`)
	_, err = Run(ctx, Config{Seeds: 1, Setup: Setup{Planted: "typo"}})
	require.ErrorContains(t, err, `planted bug "typo": allowed: skip-dedup, send-before-persist`)
	_, err = Run(ctx, Config{Seeds: 1, Setup: Setup{Engines: []string{spec.EngineNetherite}, Planted: original.PlantedLoseHistoryRow}})
	require.ErrorContains(t, err, `planted bug "lose-history-row" is in original, which the campaign does not draw (engines: netherite)`)
}

func TestReproCommand(t *testing.T) {
	toy := *nethsys.System
	toy.Name = "toy"
	withToy := builtin.Systems()
	require.NoError(t, withToy.Register(&toy))
	require.Equal(t, "lab repro --seed 7 --engines netherite,original,sql,workflow,queuechain,toy", Setup{Systems: withToy, Program: "lab"}.ReproCommand(7),
		"a repro names the program and the systems it drew from")
	more := workloads.Builtin()
	require.NoError(t, more.Register(workloads.Factory{Name: "greet", New: func([]byte) (workload.Workload, error) { return hello.NewHello(2) }}))
	require.Equal(t, "dflab repro --seed 7 --workloads hello3,hello5,sequence,bank,wordcount,collision,imagerec,lifecycle,greet",
		Setup{Workloads: more}.ReproCommand(7))
	require.Equal(t, "dflab repro --seed 7", Setup{}.ReproCommand(7))
	require.Equal(t, "dflab repro --seed 7", Setup{Engines: spec.Systems}.ReproCommand(7))
	require.Equal(t, "dflab repro --seed 7 --engines netherite,original,sql", Setup{Engines: spec.Engines}.ReproCommand(7))
	require.Equal(t, "dflab repro --seed 9 --engines original --planted skip-dedup",
		Setup{Engines: []string{"original"}, Planted: "skip-dedup"}.ReproCommand(9))
}

// Seeds whose cases found engine bugs stay fixed. The draw is checked
// first, so that a change to Draw cannot quietly turn a seed into another
// case; a seed whose plan a later change to Draw altered runs with the
// plan that found the bug (pinned), as dflab repro --plan does. The seeds
// were drawn from the workloads registered before lifecycle joined (which
// re-drew every seed's workload), as dflab repro --workloads
// hello3,hello5,sequence,bank,wordcount,collision,imagerec draws them.
func TestSeedsThatFoundBugsPass(t *testing.T) {
	before := &workloads.Registry{}
	for _, name := range []string{"hello3", "hello5", "sequence", "bank", "wordcount", "collision", "imagerec"} {
		f, err := workloads.Lookup(name)
		require.NoError(t, err)
		require.NoError(t, before.Register(f))
	}
	pinned := map[uint64]string{
		// drawn before crash-forever existed; the seed now crashes node1 forever
		1358: "at 346ms lease-loss p0\nat 17ms crash node0\nat 93ms restart node0\n" +
			"storage error p=0.01 op=queue-enqueue 209ms..920ms\nat 302ms crash node1\n",
	}
	for _, c := range []struct {
		seed     uint64
		engine   string
		workload string
		bug      string
	}{
		{3384, spec.EngineOriginal, "bank", "original: an entity step sent before it committed; a crash between the two let the redo, " +
			"whose batch started with a message that had overtaken the crashed step's, grant the lock to another " +
			"transfer under the same message index, and the receiver dropped it as a duplicate"},
		{4509, spec.EngineOriginal, "bank", "original: the same after an enqueue that failed once applied (error-after)"},
		{1358, spec.EngineOriginal, "wordcount", "original: a reducer put back a mapper's count numbered 17 because it came in the " +
			"batch after number 34, every time, and never finished"},
		{175, spec.EngineOriginal, "wordcount", "original: the same (the campaign drew original × wordcount only with --known-bugs then)"},
		{10910, spec.EngineOriginal, "hello5", "original, extended sessions: a cached history that did not expect an " +
			"activity result (another worker had stepped the instance while a lease was lost) put it back forever"},
		{18060, spec.EngineOriginal, "imagerec", "original: the same"},
		{18676, spec.EngineOriginal, "collision", "original: two workers stepped an instance in turn while a lease " +
			"changed hands, and the earlier step's unconditional row merge (Running) landed after the later " +
			"step's (Completed)"},
		{7501, spec.EngineNetherite, "sequence", "fault glue: a partition moved back to a node whose earlier core " +
			"had been stopped got a second core with the same lease owner, and after the node restarted both ran"},
	} {
		t.Run(fmt.Sprint(c.seed), func(t *testing.T) {
			// drawn over netherite and original alone (a few of these
			// seeds draw the workflow service or sql in the default setup
			// since they joined), from the workloads before lifecycle joined
			cs, err := Draw(c.seed, Setup{Workloads: before, Engines: []string{spec.EngineNetherite, spec.EngineOriginal}})
			require.NoError(t, err)
			require.Equal(t, c.engine, cs.Spec.Engine.Name)
			require.Equal(t, c.workload, cs.Spec.Workload.Name)
			if text, ok := pinned[c.seed]; ok {
				p, err := plan.Parse(text)
				require.NoError(t, err)
				cs.Plan, cs.Spec.Faults = p, p.String()
			}
			_, err = RunCase(context.Background(), cs, "")
			require.NoError(t, err, c.bug)
		})
	}
}

// Seeds run on several workers are taken in in seed order: the summary
// (wall time aside), the violation log and StopAfter are those of one
// worker.
func TestWorkersDoNotChangeTheSummary(t *testing.T) {
	run := func(workers int) (Summary, string) {
		var log bytes.Buffer
		var calls []int
		sum, err := Run(context.Background(), Config{From: 30, Seeds: 40, Workers: workers, Log: &log,
			Setup: Setup{Engines: []string{spec.EngineNetherite}, Planted: netherite.PlantedSendBeforePersist}, StopAfter: 1,
			SeedDone: func(_ int64, violations int) { calls = append(calls, violations) }})
		require.NoError(t, err)
		require.Len(t, calls, int(sum.Ran), "SeedDone once per seed taken in")
		sum.Wall = 0
		return sum, log.String()
	}
	one, oneLog := run(1)
	require.Len(t, one.Violations, 1, "the planted bug is caught and StopAfter stops there")
	require.Less(t, one.Ran, uint64(40), "the campaign stopped at the violation")
	three, threeLog := run(3)
	require.Equal(t, one, three)
	require.Equal(t, oneLog, threeLog)
}

// A cancelled campaign returns the context's error and the seeds taken in
// before it; a seed cut short is not reported as a violation.
func TestCancelledCampaignReportsNoFalseViolation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log bytes.Buffer
	sum, err := Run(ctx, Config{From: 1, Seeds: 1000, Workers: 2, Log: &log,
		SeedDone: func(int64, int) { cancel() }})
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, sum.Violations, log.String())
	require.Empty(t, log.String())
	require.GreaterOrEqual(t, sum.Ran, uint64(1))
	require.Less(t, sum.Ran, uint64(1000))
}

// The workflow service and the queue chain joined the default draw
// without changing the seeds that draw netherite or original: their cases
// are those of a setup of those two alone (as every seed was before; the
// sql engine, which joined later, takes a fifth of the seeds on a stream
// of its own). About two in five seeds draw one of the two alternatives,
// always on a workload it runs.
func TestAlternativesLeaveTheEnginesSeedsAlone(t *testing.T) {
	alt := map[string]int{}
	for seed := uint64(1); seed <= 300; seed++ {
		cs, err := Draw(seed, Setup{})
		require.NoError(t, err)
		switch cs.Spec.Engine.Name {
		case "workflow":
			alt["workflow"]++
			require.Contains(t, []string{"hello3", "sequence", "imagerec"}, cs.Spec.Workload.Name)
			continue
		case "queuechain":
			alt["queuechain"]++
			require.Equal(t, "sequence", cs.Spec.Workload.Name)
			continue
		case spec.EngineSQL:
			continue
		}
		old, err := Draw(seed, Setup{Engines: []string{spec.EngineNetherite, spec.EngineOriginal}})
		require.NoError(t, err)
		require.Equal(t, old.Spec, cs.Spec, "seed %d", seed)
		require.Equal(t, old.Plan.String(), cs.Plan.String(), "seed %d", seed)
	}
	require.InDelta(t, 60, alt["workflow"], 25)
	require.InDelta(t, 60, alt["queuechain"], 25)
	_, err := Run(context.Background(), Config{Seeds: 1, Setup: Setup{Engines: []string{"workflow"}, Workloads: bankOnly(t)}})
	require.EqualError(t, err, "campaign: system workflow runs none of the workloads bank: it runs hello3, sequence, imagerec")
}

func bankOnly(t *testing.T) *workloads.Registry {
	f, err := workloads.Lookup("bank")
	require.NoError(t, err)
	r := &workloads.Registry{}
	require.NoError(t, r.Register(f))
	return r
}
