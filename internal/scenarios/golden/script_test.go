package golden

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/systems"
)

const header = "engine netherite partitions=4\nscenario tally n=5\n"

func TestParseReadsDirectivesTriggersExpectationsAndPlanLines(t *testing.T) {
	s, err := Parse("x", `# a comment
engine netherite partitions=2 speculation=none checkpoint.events=15 takeoverPoll=2s
scenario tally n=7 spread=5ms   # trailing comment
seed 42
nodes 3 cores=4
deadline 30s
settle 2s
at 20ms crash node1
torn-tail p1 at crash
lease-loss p1 at 12s
crash node1 after page-write n=3 target=hub/p01/log restart=40ms
lease-loss p2 after queue-dequeue
expect exactly-once
expect log "a # not a comment"
expect log-match `+"`p0\\d: (x|y)`"+`
expect checkpoints-written >= 2
pending "not yet"
`)
	require.NoError(t, err)
	require.Equal(t, "netherite", s.Engine)
	require.Equal(t, systems.Values{"partitions": "2", "speculation": "none", "checkpoint.events": "15", "takeoverPoll": "2s"}, s.Opts)
	require.Equal(t, "tally", s.Scenario)
	require.Equal(t, 7, s.N)
	require.Equal(t, 5*port.Millisecond, s.Spread)
	require.Equal(t, uint64(42), s.Seed)
	require.Equal(t, 3, s.Nodes)
	require.Equal(t, 4, s.Cores)
	require.Equal(t, 30*port.Second, s.Deadline)
	require.Equal(t, 2*port.Second, s.Settle)
	require.Equal(t, "not yet", s.Pending)
	require.Equal(t, []plan.Kind{plan.Crash, plan.TornTail, plan.LeaseLoss}, []plan.Kind{s.Plan.Faults[0].Kind, s.Plan.Faults[1].Kind, s.Plan.Faults[2].Kind})
	require.Equal(t, []Trigger{
		{Line: 11, Node: "node1", Op: "page-write", Target: "hub/p01/log", N: 3, Restart: 40 * port.Millisecond},
		{Line: 12, LeaseLoss: true, Partition: 2, Op: "queue-dequeue", N: 1}}, s.Triggers)
	require.Len(t, s.Expects, 4)
	require.Equal(t, "a # not a comment", s.Expects[1].Text)
	require.True(t, s.Expects[2].re.MatchString("p03: y"))
	require.Equal(t, Expect{Line: 16, Kind: "counter", Counter: "checkpoints-written", Op: ">=", Value: 2}, s.Expects[3])
}

func TestParseRejectsBadLinesNamingWhatIsAllowed(t *testing.T) {
	for text, want := range map[string]string{
		"scenario tally\n":                                     "missing directive: want an engine line",
		"engine foo\nscenario tally\n":                         "engine \"foo\": allowed netherite, original",
		"engine netherite colour=red\nscenario tally":          "knob colour of system netherite: no such knob; allowed partitions, speculation",
		"engine original partitions=3\nscenario bank":          "knob partitions of system original: no such knob; allowed controlQueues",
		"engine netherite speculation=max\nscenario bank":      "knob speculation of system netherite: \"max\": allowed none, local, global",
		header + "scenario hello\n":                            "allowed tally, bank",
		header + "seed -1\n":                                   "allowed an unsigned integer",
		header + "nodes 0\n":                                   "allowed 1..64",
		header + "crash node1 page-write\n":                    "want: crash NODE after OP",
		header + "crash node1 after page-scribble\n":           "page-scribble",
		header + "crash node1 after page-write n=0\n":          "allowed a count >= 1",
		header + "lease-loss px after page-write\n":            "allowed p0 to p",
		header + "lease-loss p1 after page-write restart=1s\n": "allowed on crash triggers only",
		header + "expect exactly-twice 1\n":                    "COUNTER OP VALUE",
		header + "expect log unquoted\n":                       "want one non-empty quoted string",
		header + "expect log-match `(`\n":                      "log-match: error parsing regexp",
		header + "pending\n":                                   "want the reason",
		header + "at 5s explode node1\n":                       "a line is a fault plan line or starts with a directive: engine",
		header + "wobble node1\n":                              "unknown fault",
	} {
		_, err := Parse("bad", text)
		require.Error(t, err, text)
		require.Contains(t, err.Error(), want, text)
	}
}

func TestRunRejectsUnknownNodesAndLeases(t *testing.T) {
	s, err := Parse("x", header+"crash node7 after page-write\n")
	require.NoError(t, err)
	_, err = Run(s)
	require.ErrorContains(t, err, `node "node7": allowed: the nodes of the run (node0..node1)`)
	s, err = Parse("x", header+"lease-loss p9 after page-write\n")
	require.NoError(t, err)
	_, err = Run(s)
	require.ErrorContains(t, err, "this engine has no lease p9")
	s, err = Parse("x", "engine original\nscenario tally n=2\nat 5ms move p1 node0\n")
	require.NoError(t, err)
	_, err = Run(s)
	require.ErrorContains(t, err, "move: this simulation cannot carry it out")
}

// A script reports what did not happen: a trigger that never fired, a log
// line that is missing, a counter out of range.
func TestRunReportsBrokenExpectations(t *testing.T) {
	s, err := Parse("x", header+`crash node1 after page-write n=100000
expect log "no engine says this"
expect no-log "recovered to seq"
expect crashes >= 1
expect bogus == 1
expect exactly-once
`)
	require.NoError(t, err)
	out, err := Run(s)
	require.NoError(t, err)
	require.Equal(t, []string{
		"line 3: crash node1 after page-write n=100000 never fired",
		`line 4: expect log "no engine says this": not found`,
		`line 5: expect no-log "recovered to seq": found`,
		"line 6: expect crashes >= 1: it is 0",
		`line 7: counter "bogus": allowed: activities-reexecuted, activity-executions, checkpoints-written, completed-right, ` +
			"crash-applied, crash-dropped, crashes, log-wraps, netherite.duplicates-dropped, netherite.owners, netherite.recovered-updates, " +
			"netherite.restarts, restarts, triggered-crashes, triggered-lease-losses, violations",
	}, out.Failures, "exactly-once holds: no failure for line 8")
}

// Exactly-once fails when an instance does not complete (the deadline is
// too short for it here).
func TestExactlyOnceFailsWhenAnInstanceIsMissing(t *testing.T) {
	s, err := Parse("x", header+"deadline 10ms\nexpect exactly-once\n")
	require.NoError(t, err)
	out, err := Run(s)
	require.NoError(t, err)
	require.Len(t, out.Failures, 2)
	require.Contains(t, out.Failures[0], "line 4: expect exactly-once: not every orchestration completed")
	require.Contains(t, out.Failures[1], "wrong outcomes: tally0: no answer")
}

// The same script twice gives the same summary (trace hash included).
func TestRunIsDeterministic(t *testing.T) {
	text := header + "duplicate stream p=0.2\nat 20ms crash node1\nat 40ms restart node1\n"
	s, err := Parse("x", text)
	require.NoError(t, err)
	a, err := Run(s)
	require.NoError(t, err)
	s, err = Parse("x", text)
	require.NoError(t, err)
	b, err := Run(s)
	require.NoError(t, err)
	require.Equal(t, a.Summary, b.Summary)
	require.Contains(t, a.Summary, "trace: ")
}
