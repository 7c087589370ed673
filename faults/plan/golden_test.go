package plan_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// stripComments drops comment and blank lines of a canonical plan file.
func stripComments(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestGoldenCanonicalPlanPrintsBackIdentically(t *testing.T) {
	text := readFile(t, "testdata/brief.plan")
	p, err := plan.Parse(text)
	require.NoError(t, err)
	require.Equal(t, stripComments(text), p.String())
	require.Equal(t, []plan.Fault{
		{Kind: plan.Crash, At: 5 * port.Second, Node: "node2"},
		{Kind: plan.CrashForever, At: 6 * port.Second, Node: "node3"},
		{Kind: plan.Restart, At: 8 * port.Second, Node: "node2"},
		{Kind: plan.Move, At: 8 * port.Second, Partition: 3, Node: "node1"},
		{Kind: plan.LeaseLoss, At: 12 * port.Second, Partition: 4},
		{Kind: plan.StorageError, P: 0.01, Ops: "page-write"},
		{Kind: plan.StorageErrorAfter, P: 0.01, Ops: "table-*"},
		{Kind: plan.Latency, Factor: 20, P: 1, Ops: "queue-*", Window: plan.Window{From: 10 * port.Second, To: 20 * port.Second}},
		{Kind: plan.Throttle, P: 1, Ops: "queue-*", Window: plan.Window{From: 10 * port.Second, To: 20 * port.Second}},
		{Kind: plan.DuplicateStream, P: 0.05},
		{Kind: plan.DelayStream, Delay: 50 * port.Millisecond, P: 0.1},
		{Kind: plan.TornTail, Partition: 7},
		{Kind: plan.LoseUnsynced},
	}, p.Faults)
	require.Len(t, p.Timed(), 5)
	require.Len(t, p.AtCrash(), 2)
}

func TestGoldenLooseSpellingsPrintCanonically(t *testing.T) {
	p, err := plan.Parse(readFile(t, "testdata/loose.plan"))
	require.NoError(t, err)
	require.Equal(t, readFile(t, "testdata/loose.golden"), p.String())
}

func TestParseErrorsNameLineTokenAndAllowedValues(t *testing.T) {
	cases := map[string]string{
		"at 5s crush node2":                       `plan line 1: bad token "crush": unknown timed action; allowed: crash, crash-forever, restart, move, lease-loss`,
		"# c\n\nat 5 crash node2":                 `plan line 3: bad token "5": allowed: a number with unit ms, s or m (e.g. 50ms, 5s, 1.5s, 2m), whole milliseconds, up to 7 days`,
		"at 5s crash":                             `plan line 1: line ends early: want a node name (e.g. node2) after "at 5s crash"`,
		"at 5s crash p3":                          `plan line 1: bad token "p3": node "p3": allowed: 1..64 of [A-Za-z0-9._-] starting with a letter, not p<N> (e.g. node2)`,
		"at 5s move 3 node1":                      `plan line 1: bad token "3": allowed: a partition p0..p9999 (e.g. p3)`,
		"at 5s crash node2 now":                   `plan line 1: bad token "now": unexpected token after "at 5s crash node2"`,
		"storage eror p=0.1 op=*":                 `plan line 1: bad token "eror": allowed: error (before the op is applied), error-after (applied, then an error)`,
		"storage error p=1.5 op=page-write":       `plan line 1: bad token "p=1.5": allowed: a probability in (0, 1], e.g. p=0.01`,
		"storage error op=page-write":             `plan line 1: missing p=PROBABILITY, allowed: (0, 1], e.g. p=0.01`,
		"storage error p=0.1":                     `plan line 1: missing op=GLOB, allowed: a glob over op kinds, e.g. op=page-write, op=table-*`,
		"storage error p=0.1 op=page-wrte":        `plan line 1: bad token "op=page-wrte": op=page-wrte matches no op kind; allowed: ` + strings.Join(plan.OpKinds(), ", "),
		"storage error p=0.1 op=* size=3":         `plan line 1: bad token "size=3": unknown option; allowed: op=..., p=..., FROM..TO (e.g. 10s..20s)`,
		"storage error p=0.1 p=0.2 op=*":          `plan line 1: bad token "p=0.2": p= given twice`,
		"throttle op=queue-* 20s..10s":            `plan line 1: bad token "20s..10s": window FROM..TO needs FROM < TO`,
		"latency 20 op=queue-*":                   `plan line 1: bad token "20": allowed: a multiplier x1.1..x1000 (e.g. x20)`,
		"latency x0.5 op=queue-*":                 `plan line 1: bad token "x0.5": allowed: a multiplier x1.1..x1000 (e.g. x20)`,
		"duplicate stream p=0.1 op=stream-append": `plan line 1: bad token "op=stream-append": unknown option; allowed: p=..., FROM..TO (e.g. 10s..20s)`,
		"delay stream 0ms p=0.1":                  `plan line 1: bad token "0ms": allowed: a positive delay (e.g. 50ms)`,
		"duplicate queue p=0.1":                   `plan line 1: bad token "queue": allowed: stream (duplicate stream ...)`,
		"torn-tail p7 at boot":                    `plan line 1: bad token "boot": allowed: crash (torn-tail ... at crash)`,
		"drop stream p=0.1":                       `plan line 1: bad token "drop": unknown fault; allowed line starts: at, storage, latency, throttle, duplicate, delay, torn-tail, lose-unsynced, lease-loss`,
	}
	for in, want := range cases {
		_, err := plan.Parse(in)
		require.EqualError(t, err, want, in)
		var pe *plan.ParseError
		require.ErrorAs(t, err, &pe)
	}
}
