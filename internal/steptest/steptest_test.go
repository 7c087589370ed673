package steptest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

// toyCore persists and sends: on start it writes log position 1 and at
// once (wrongly) sends a message needing it; once the write completes it
// sends again, correctly, and sets a timer that sends once more.
type toyCore struct {
	rd   port.Ready
	next port.RequestID
}

func (c *toyCore) issue(op port.Op, needs, makes port.Mark) {
	c.next++
	c.rd.Requests = append(c.rd.Requests, port.Request{ID: c.next, Op: op, Needs: needs, Makes: makes})
}

func (c *toyCore) Step(now port.Time, in port.Input) {
	log := port.Mark{Log: "toy/log", Pos: 1}
	send := port.QueueEnqueue{Queue: "out", Data: []byte("m")}
	switch v := in.(type) {
	case port.Started:
		c.issue(port.QueueCreate{Queue: "out"}, port.Mark{}, port.Mark{})
		c.issue(port.BlobPut{Name: "toy/log", Data: []byte("x")}, port.Mark{}, log)
		c.issue(send, log, port.Mark{})
	case port.Completion:
		if v.ID == 2 {
			c.issue(send, log, port.Mark{})
			c.rd.Timers = append(c.rd.Timers, port.Timer{ID: 1, At: now + port.Second})
		}
	case port.TimerFired:
		c.rd.Responses = append(c.rd.Responses, port.Response{ID: 9, Resp: "fired"})
	}
}

func (c *toyCore) Ready() port.Ready  { return c.rd }
func (c *toyCore) Advance(port.Ready) { c.rd = port.Ready{} }
func toyRig() Rig                     { return Rig{New: func(Args) (port.Core, error) { return &toyCore{}, nil }} }
func lines(s string) []string         { return strings.Split(s, "\n") }

const toyScript = `# the toy core
start
----
req 1 queue-create queue/out
req 2 blob-put blob/toy/log 1B makes toy/log@1
req 3 queue-enqueue queue/out 1B data="m" needs toy/log@1
VIOLATION: request 3 (queue-enqueue) needs toy/log@1 but toy/log is durable only to -1

complete 3
----
error: complete 3: request 1 on queue/out was issued first and is in flight (completions on one target follow issue order)

complete blob-put
----
completed 2 blob-put: "0x1"
req 4 queue-enqueue queue/out 1B data="m" needs toy/log@1
timer 1 at 1s

fire 1
----
fired timer 1 at 1s
response 9: fired

crash apply=1
----
crash applies 1 queue-create queue/out
crash drops 3 queue-enqueue queue/out
crash drops 4 queue-enqueue queue/out
crashed (life 0)

ready
----
down
`

// The toy script's expected output is what the harness prints: an
// unsatisfied Needs mark is a VIOLATION, a completion may not overtake an
// earlier request on its target, a timer moves the clock, a crash applies
// only the requests it names.
func TestToyScript(t *testing.T) {
	bs, after, got, err := runText("toy", toyScript, toyRig())
	require.NoError(t, err)
	for i, b := range bs {
		require.Equal(t, b.want, got[i], "line %d: %s", b.line, b.cmd)
	}
	require.Equal(t, toyScript, format(bs, after, got), "rewriting an up-to-date script changes nothing")
}

// A script whose expected output differs from the run is caught.
func TestMismatchIsCaught(t *testing.T) {
	wrong := strings.Replace(toyScript, "timer 1 at 1s\n", "timer 1 at 2s\n", 1)
	bs, _, got, err := runText("toy", wrong, toyRig())
	require.NoError(t, err)
	var bad []string
	for i, b := range bs {
		if !equal(b.want, got[i]) {
			bad = append(bad, b.cmd)
		}
	}
	require.Equal(t, []string{"complete blob-put"}, bad)
}

func TestBadScripts(t *testing.T) {
	_, _, err := parse("s", "start\nready\n")
	require.ErrorContains(t, err, `s:1: command "start" is not followed by a ---- line`)
	_, _, got, err := runText("s", "ready\n----\n\nstart\n----\n\ncomplete 1 err=boom\n----\n\nfrobnicate\n----\n", toyRig())
	require.NoError(t, err)
	require.Equal(t, []string{"error: no core: the script begins with start"}, got[0])
	require.Equal(t, lines("error: complete err=boom: allowed busy conflict corrupt lease-held lease-lost not-found too-large transient"), got[2])
	require.Equal(t, lines("error: unknown command \"frobnicate\": allowed start restart deliver complete fire activity advance crash ready store"), got[3])
}

func TestSplitWords(t *testing.T) {
	w, err := splitWords(`deliver msg start input="\"World\"" name=Hello`)
	require.NoError(t, err)
	require.Equal(t, []string{"deliver", "msg", "start", `input="World"`, "name=Hello"}, w)
	_, err = splitWords(`x="open`)
	require.ErrorContains(t, err, "unterminated string")
}
