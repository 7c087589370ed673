package asl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeTask answers an invocation: output JSON, or an error text.
type fakeTask func(input any, call int) (string, string)

type world struct {
	tasks map[string]fakeTask
	calls map[string]int
	log   []string // "resource(taskId)" in invocation order
	now   int64
}

// runExec drives an execution to its end: steps, serves every
// outstanding invocation, fires the earliest timer; it encodes and
// decodes the execution between rounds, as the service records it.
func runExec(t *testing.T, d *Definition, input string, w *world) *Execution {
	t.Helper()
	e, err := Start(d, "exec-1", []byte(input))
	require.NoError(t, err)
	issued := map[int]bool{}
	for round := 0; round < 10_000 && !e.Done(); round++ {
		if e.Runnable() {
			e.Step(d, w.now)
			b, err := e.Encode()
			require.NoError(t, err)
			e, err = Decode(b)
			require.NoError(t, err)
			continue
		}
		inv, tms := e.Outstanding()
		served := false
		for _, in := range inv {
			if issued[in.ID] {
				continue
			}
			issued[in.ID], served = true, true
			w.calls[in.Resource]++
			w.log = append(w.log, fmt.Sprintf("%s(%d)", in.Resource, in.TaskID))
			f, ok := w.tasks[in.Resource]
			require.True(t, ok, "no fake for %s", in.Resource)
			out, fail := f(in.Input, w.calls[in.Resource])
			require.True(t, e.TaskDone(in.ID, []byte(out), fail))
		}
		if served {
			continue
		}
		require.NotEmpty(t, tms, "execution stuck")
		sort.Slice(tms, func(i, j int) bool { return tms[i].At < tms[j].At })
		w.now = max(w.now, tms[0].At)
		require.True(t, e.TimerFired(tms[0].ID))
	}
	require.True(t, e.Done())
	return e
}

func echo(in any, _ int) (string, string) { b, _ := json.Marshal(in); return string(b), "" }

func failTimes(n int, out string) fakeTask {
	return func(in any, call int) (string, string) {
		if call <= n {
			return "", "boom"
		}
		return out, ""
	}
}

func newWorld(tasks map[string]fakeTask) *world {
	return &world{tasks: tasks, calls: map[string]int{}}
}

func TestExecutions(t *testing.T) {
	for _, c := range []struct {
		name, def, input string
		tasks            map[string]fakeTask
		want             string // output JSON, or "FAIL Error: Cause"
		wantLog          []string
		wantNow          time.Duration
	}{
		{name: "pass result and paths",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},"B":{"Type":"Pass","InputPath":"$.r","OutputPath":"$.x","End":true}}}`,
			want: `1`},
		{name: "pass parameters with paths, context and intrinsics",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"n.$":"$.a.b[1]","lit":"k","who.$":"$$.Execution.Name","arr.$":"States.Array($.a.b[0], 'z', 3)","fmt.$":"States.Format('{} and {}', $.a.c, $.a.b[0])","sum.$":"States.MathAdd($.a.b[0], 18446744073709551615)","nested":{"s.$":"States.JsonToString($.a)"}},"End":true}}}`,
			input: `{"a":{"b":[1,2],"c":"x"}}`,
			want:  `{"arr":[1,"z",3],"fmt":"x and 1","lit":"k","n":2,"nested":{"s":"{\"b\":[1,2],\"c\":\"x\"}"},"sum":18446744073709551616,"who":"exec-1"}`},
		{name: "big numbers stay exact",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`,
			input: `{"sum":18446744073709551615}`, want: `{"sum":18446744073709551615}`},
		{name: "result path null keeps input, output path null empties",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","ResultPath":null,"Next":"B"},"B":{"Type":"Pass","OutputPath":null,"Next":"C"},"C":{"Type":"Succeed"}}}`,
			input: `{"k":1}`, tasks: map[string]fakeTask{"T": echo}, want: `{}`, wantLog: []string{"T(0)"}},
		{name: "task with parameters, result selector and result path",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:T","Parameters":{"v.$":"$.x"},"ResultSelector":{"got.$":"$.v"},"ResultPath":"$.res","End":true}}}`,
			input: `{"x":"y"}`, tasks: map[string]fakeTask{"arn:aws:lambda:us-east-1:1:function:T": echo}, want: `{"res":{"got":"y"},"x":"y"}`,
			wantLog: []string{"arn:aws:lambda:us-east-1:1:function:T(0)"}},
		{name: "choice: string, numeric path, and/or/not, default",
			def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
				{"Variable":"$.t","StringEquals":"gif","Next":"No"},
				{"And":[{"Variable":"$.n","NumericGreaterThanEqualsPath":"$.lim"},{"Not":{"Variable":"$.t","StringMatches":"*.png"}}],"Next":"Big"},
				{"Or":[{"Variable":"$.missing","IsPresent":true},{"Variable":"$.b","BooleanEquals":true}],"Next":"Yes"}],
				"Default":"No"},
				"Big":{"Type":"Pass","Result":"big","End":true},"Yes":{"Type":"Pass","Result":"yes","End":true},"No":{"Type":"Fail","Error":"E","Cause":"no"}}}`,
			input: `{"t":"a.jpg","n":10,"lim":10,"b":true}`, want: `"big"`},
		{name: "choice: or branch",
			def:   `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":5,"Next":"Y"},{"Or":[{"Variable":"$.s","StringGreaterThan":"m"},{"Variable":"$.ts","TimestampLessThan":"2020-01-01T00:00:00Z"}],"Next":"Y"}],"Default":"N"},"Y":{"Type":"Succeed"},"N":{"Type":"Fail","Error":"N"}}}`,
			input: `{"n":7,"s":"a","ts":"2019-05-01T00:00:00Z"}`, want: `{"n":7,"s":"a","ts":"2019-05-01T00:00:00Z"}`},
		{name: "choice: no match without default fails",
			def:   `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","IsNull":true,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`,
			input: `{"n":1}`, want: "FAIL States.NoChoiceMatched: state C: no choice rule matched and there is no Default"},
		{name: "wait seconds and seconds path",
			def:   `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":2,"Next":"V"},"V":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`,
			input: `{"s":3}`, want: `{"s":3}`, wantNow: 5 * time.Second},
		{name: "retry defaults: 1s then 2s, then success",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}`,
			tasks: map[string]fakeTask{"T": failTimes(2, `"ok"`)}, want: `"ok"`, wantLog: []string{"T(0)", "T(1)", "T(2)"}, wantNow: 3 * time.Second},
		{name: "retry exhausted then caught with result path",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","Retry":[{"ErrorEquals":["Other"],"MaxAttempts":5},{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":1,"BackoffRate":1.5,"MaxAttempts":2}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`,
			input: `{"a":1}`, tasks: map[string]fakeTask{"T": failTimes(9, `"ok"`)},
			want: `{"a":1,"error":{"Cause":"boom","Error":"States.TaskFailed"}}`, wantLog: []string{"T(0)", "T(1)", "T(2)"}, wantNow: 2500 * time.Millisecond},
		{name: "max attempts 0 fails at once",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}],"End":true}}}`,
			tasks: map[string]fakeTask{"T": failTimes(1, `1`)}, want: "FAIL States.TaskFailed: boom", wantLog: []string{"T(0)"}},
		{name: "parallel branches in order, one result array",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"A","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}],"ResultPath":"$.out","Next":"S"},"S":{"Type":"Succeed","OutputPath":"$.out"}}}`,
			input: `{"v":1}`, tasks: map[string]fakeTask{"A": echo}, want: `[{"v":1},"b"]`, wantLog: []string{"A(0)"}},
		{name: "parallel branch failure is caught",
			def:  `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"Bad","Cause":"c"}}}],"Catch":[{"ErrorEquals":["Bad"],"Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`,
			want: `{"Cause":"c","Error":"Bad"}`},
		{name: "map with max concurrency and item selector",
			def:   `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":1,"ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},"Iterator":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"T","End":true}}},"End":true}}}`,
			input: `{"xs":["a","b","c"]}`, tasks: map[string]fakeTask{"T": echo},
			want: `[{"i":0,"v":"a"},{"i":1,"v":"b"},{"i":2,"v":"c"}]`, wantLog: []string{"T(0)", "T(1)", "T(2)"}},
		{name: "fail with cause path",
			def:   `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Unsupported","CausePath":"States.Format('image {}: bad type {}', $.id, $.t)"}}}`,
			input: `{"id":"i-1","t":"gif"}`, want: "FAIL Unsupported: image i-1: bad type gif"},
		{name: "missing input path is a runtime error no catch takes",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","InputPath":"$.nope","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`,
			tasks: map[string]fakeTask{"T": echo}, want: `FAIL States.Runtime: state A: InputPath: path $.nope: no field "nope"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse([]byte(c.def))
			require.NoError(t, err)
			w := newWorld(c.tasks)
			e := runExec(t, d, c.input, w)
			if strings.HasPrefix(c.want, "FAIL ") {
				require.Equal(t, Failed, e.Status)
				require.Equal(t, strings.TrimPrefix(c.want, "FAIL "), e.FailureText())
			} else {
				require.Equal(t, Succeeded, e.Status, e.FailureText())
				got, err := EncodeValue(e.Output)
				require.NoError(t, err)
				require.JSONEq(t, c.want, string(got))
				require.Equal(t, c.want, string(got), "exact encoding")
			}
			require.Equal(t, c.wantLog, w.log)
			require.Equal(t, int64(c.wantNow), w.now)
		})
	}
}

func TestTaskTimeoutAndLateResult(t *testing.T) {
	d, err := Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","TimeoutSeconds":2,"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"H"}],"End":true},"H":{"Type":"Pass","Result":"late","End":true}}}`))
	require.NoError(t, err)
	e, err := Start(d, "x", nil)
	require.NoError(t, err)
	require.Equal(t, 1, e.Pending(d))
	require.Equal(t, 1, e.Step(d, 0))
	inv, tms := e.Outstanding()
	require.Len(t, inv, 1)
	require.Equal(t, []Timer{{ID: 2, At: int64(2 * time.Second)}}, tms)
	require.True(t, e.TimerFired(2))
	require.Zero(t, e.Pending(d), "finishing a state is no transition")
	require.False(t, e.TaskDone(inv[0].ID, []byte(`1`), ""), "a result after the timeout is dropped")
	e.Step(d, int64(2*time.Second))
	e.Step(d, int64(2*time.Second))
	require.Equal(t, Succeeded, e.Status)
	require.Equal(t, "late", e.Output)
	require.Equal(t, 2, e.Transitions)
}

func TestHistoryLimit(t *testing.T) {
	d, err := Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}}`))
	require.NoError(t, err)
	e, err := Start(d, "loop", nil)
	require.NoError(t, err)
	for i := 0; i < 20_000 && !e.Done(); i++ {
		e.Step(d, 0)
	}
	require.Equal(t, Failed, e.Status)
	require.Equal(t, "States.Runtime: the execution history exceeds 25000 events", e.FailureText())
	require.Equal(t, 12_500, e.Transitions)
}

func TestBadDefinitions(t *testing.T) {
	for def, want := range map[string]string{
		`[]`:                                  "definition: want a JSON object",
		`{"States":{"A":{"Type":"Succeed"}}}`: "definition: field StartAt is missing",
		`{"StartAt":"A"}`:                     "definition: field States is missing",
		`{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`:                                                                                       `definition: field StartAt: no state "B" (states: "A")`,
		`{"StartAt":"A","States":{"A":{"Next":"A"}}}`:                                                                                             `state "A": field Type is missing (allowed Task, Choice, Parallel, Map, Pass, Wait, Succeed, Fail)`,
		`{"StartAt":"A","States":{"A":{"Type":"Lambda"}}}`:                                                                                        `state "A": field Type = "Lambda": allowed Task, Choice`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Z"}}}`:                                                                               `state "A": field Next: no state "Z" in this machine`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`:                                                                                          `state "A": field Next is missing (or set End to true for a terminal state)`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B","End":true},"B":{"Type":"Succeed"}}}`:                                             `state "A": fields Next and End`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"B":{"Type":"Succeed"}}}`:                                                        `state "B": unreachable from StartAt "A"`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":7}}}`:                                                                                 `state "A": field Next: want a string`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`:                                                                               `state "A": field Resource is missing`,
		`{"StartAt":"A","States":{"A":{"Type":"Succeed","Next":"A"}}}`:                                                                            `state "A": field Next is not allowed in a Succeed state`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Colour":"red"}}}`:                                                                `state "A": field Colour is not allowed in a Pass state`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","End":true,"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}]}}}`: `state "A": Retry[0]: field ErrorEquals: a retrier of States.ALL must be the last one`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","End":true,"Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}]}}}`:              `state "A": Retry[0]: field BackoffRate: want a number >= 1`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","End":true,"Retry":[{"ErrorEquals":["X"],"MaxAttempts":"2"}]}}}`:              `state "A": Retry[0]: field MaxAttempts: want a number >= 0`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","End":true,"Retry":[{"IntervalSeconds":1}]}}}`:                                `state "A": Retry[0]: field ErrorEquals is missing`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","End":true,"Catch":[{"ErrorEquals":["X"]}]}}}`:                                `state "A": Catch[0]: field Next is missing`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","End":true,"Catch":[{"ErrorEquals":["X"],"Next":"Q"}]}}}`:                     `state "A": field Catch[0].Next: no state "Q"`,
		`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"T","End":true,"Catch":[{"ErrorEquals":["States.ALL","X"],"Next":"A"}]}}}`:        `state "A": Catch[0]: field ErrorEquals: States.ALL must be the only error name`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[]}}}`:                                                                           `state "A": field Choices: want a non-empty array of rules`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":"a"}]}}}`:                                      `state "A": Choices[0]: field Next is missing`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":1,"Next":"A"}]}}}`:                             `state "A": Choices[0]: field StringEquals: want a string`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"A"}]}}}`:                                              `state "A": Choices[0]: want exactly one operator`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"StringEquals":"a","Next":"A"}]}}}`:                                            `state "A": Choices[0]: field Variable is missing`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.x","IsNull":true,"Next":"A"},"Next":"A"}]}}}`:             `state "A": Choices[0].Not: field Next is allowed only in a top-level rule`,
		`{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`:                                               `state "A": a Wait state has exactly one of Seconds, Timestamp, SecondsPath, TimestampPath (got 2)`,
		`{"StartAt":"A","States":{"A":{"Type":"Wait","Timestamp":"tomorrow","End":true}}}`:                                                        `state "A": field Timestamp: want an RFC 3339 timestamp`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"x","End":true}}}`:                                                               `state "A": field InputPath: path "x": must start with $`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`:                                                         `state "A": field ResultPath: "$.a[*]" is not a reference path`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Nope($)"},"End":true}}}`:                                         `state "A": field Parameters: key "x.$": unknown intrinsic function "States.Nope"`,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":7},"End":true}}}`:                                                        `state "A": field Parameters: key "x.$": want a path or intrinsic function string`,
		`{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"A"}}}],"End":true}}}`:    `state "X": field Next: no state "A" in this machine (state "A": Branches[0]`,
		`{"StartAt":"A","States":{"A":{"Type":"Map","End":true}}}`:                                                                                `state "A": field ItemProcessor (or Iterator) is missing`,
		`{"StartAt":"A","States":{"A":{"Type":"Fail","Cause":"c","CausePath":"$.c"}}}`:                                                            `state "A": fields Cause and CausePath: give one of them`,
	} {
		_, err := Parse([]byte(def))
		require.Error(t, err, def)
		require.Contains(t, err.Error(), want, def)
	}
}
