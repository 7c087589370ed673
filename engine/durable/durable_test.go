package durable

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func sampleEvents() []Event {
	return []Event{
		{Kind: ExecutionStarted, Name: "Hello5", Payload: []byte(`{"n":1}`), Instance: "parent", ID: 3},
		{Kind: OrchestratorStarted, At: 1_700_000_000_123_456_789},
		{Kind: TaskScheduled, ID: 0, Name: "SayHello", Payload: []byte(`"Tokyo"`)},
		{Kind: TaskFailed, ID: 0, Failure: "boom"},
		{Kind: TimerCreated, ID: -1, At: -5},
		{Kind: EntityLockSent, ID: 7, Entities: []string{"@a@1", "@b@2"}, Request: "i#7"},
		{Kind: ExecutionCompleted, Status: StatusFailed, Failure: "x"},
		{Kind: EventRaised, Name: "e", Payload: []byte{}},
	}
}

func TestBinaryEncodingRoundTrip(t *testing.T) {
	events := sampleEvents()
	buf := AppendEvents(nil, events)
	got, n, err := DecodeEvents(buf)
	require.NoError(t, err)
	require.Equal(t, len(buf), n)
	require.Equal(t, events, got)
	for i := range events {
		one := AppendEvent(nil, &events[i])
		e, n, err := DecodeEvent(one)
		require.NoError(t, err)
		require.Equal(t, len(one), n)
		require.Equal(t, events[i], e)
	}
	// Compact: a scheduled activity with a short input is a few dozen bytes.
	require.Less(t, len(AppendEvent(nil, &events[2])), 24)
}

func TestBinaryEncodingRejectsCorruptInput(t *testing.T) {
	e := sampleEvents()[0]
	good := AppendEvent(nil, &e)
	cases := map[string][]byte{
		"empty":       {},
		"version":     append([]byte{9}, good[1:]...),
		"kind":        {EncodingVersion, 200, 0},
		"field bits":  {EncodingVersion, byte(TaskScheduled), 0xff, 0x7f},
		"truncated":   good[:len(good)-3],
		"long length": {EncodingVersion, byte(TaskScheduled), hasName, 0xff, 0x01, 'a'},
	}
	for name, b := range cases {
		_, _, err := DecodeEvent(b)
		require.Error(t, err, name)
		require.True(t, errors.Is(err, ErrCorrupt), name)
	}
	_, _, err := DecodeEvents([]byte{0xff, 0xff, 0x03})
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestJSONForm(t *testing.T) {
	for _, e := range sampleEvents() {
		b, err := json.Marshal(e)
		require.NoError(t, err)
		var back Event
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		if len(e.Payload) == 0 {
			e.Payload = nil // an empty payload has no JSON form
		}
		require.Equal(t, e, back, string(b))
	}
	b, _ := json.Marshal(Event{Kind: TaskCompleted, ID: 2, Payload: []byte(`"hi"`)})
	require.JSONEq(t, `{"kind":"TaskCompleted","id":2,"payload":"hi"}`, string(b))
	var e Event
	require.ErrorContains(t, json.Unmarshal([]byte(`{"kind":"Nope"}`), &e), `event field kind: unknown event kind "Nope"`)
	require.ErrorContains(t, json.Unmarshal([]byte(`{"kind":"ExecutionCompleted","status":"Meh"}`), &e), "event field status")
}

func TestPartitionPlacement(t *testing.T) {
	require.Equal(t, 4, Partition("@Account@src3!4", 12))
	require.Equal(t, 2, Partition("x!14", 12))
	require.Equal(t, 0, Partition("anything", 1))
	// FNV-1a-32 of "a" is 0xe40c292c.
	require.Equal(t, int(uint32(0xe40c292c)%12), Partition("a", 12))
	require.Equal(t, int(fnv1a32("a!")%12), Partition("a!", 12), "no number after the !")
	counts := make([]int, 12)
	for i := 0; i < 12000; i++ {
		counts[Partition(fmt.Sprintf("instance-%d", i), 12)]++
	}
	for p, c := range counts {
		require.InDelta(t, 1000, c, 150, "partition %d", p)
	}
}

func TestEntityIDs(t *testing.T) {
	id := EntityID{Name: "Account", Key: "src1!2"}
	require.Equal(t, "@Account@src1!2", id.String())
	back, err := ParseEntityID(id.String())
	require.NoError(t, err)
	require.Equal(t, id, back)
	require.True(t, IsEntity(id.String()))
	require.False(t, IsEntity("hello"))
	for _, bad := range []string{"Account@x", "@@x", "@Account"} {
		_, err := ParseEntityID(bad)
		require.ErrorContains(t, err, "want the form @name@key", bad)
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	orch := func(*OrchestrationContext) (any, error) { return nil, nil }
	require.NoError(t, r.AddOrchestrator("B", orch))
	require.NoError(t, r.AddOrchestrator("A", orch))
	require.ErrorContains(t, r.AddOrchestrator("A", orch), `register orchestrator "A": the name is already registered`)
	require.ErrorContains(t, r.AddActivity("", func(ActivityContext) (any, error) { return nil, nil }), "empty name")
	require.ErrorContains(t, r.AddEntity("x@y", func(*EntityContext) error { return nil }), "may not contain '@'")
	require.ErrorContains(t, r.AddEntity("e", nil), "nil function")
	_, err := r.Orchestrator("C")
	require.EqualError(t, err, `unknown orchestrator "C" (registered: A, B)`)
	_, err = r.Activity("x")
	require.True(t, strings.HasPrefix(err.Error(), `unknown activity "x"`))
	fn, err := r.Orchestrator("A")
	require.NoError(t, err)
	require.NotNil(t, fn)
}

func TestRetryDelays(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 5, FirstInterval: 1000, BackoffCoefficient: 1.5, MaxInterval: 2000}
	require.NoError(t, p.Validate())
	require.EqualValues(t, []int64{1000, 1500, 2000, 2000}, []int64{int64(p.Delay(1)), int64(p.Delay(2)), int64(p.Delay(3)), int64(p.Delay(4))})
	require.ErrorContains(t, RetryPolicy{MaxAttempts: 1, FirstInterval: 1, BackoffCoefficient: 0.5}.Validate(), "BackoffCoefficient")
}

func TestStatusAndKindNames(t *testing.T) {
	for k := KindInvalid + 1; k < kindCount; k++ {
		back, err := ParseEventKind(k.String())
		require.NoError(t, err)
		require.Equal(t, k, back)
	}
	for s := StatusUnknown; s <= StatusTerminated; s++ {
		back, err := ParseStatus(s.String())
		require.NoError(t, err)
		require.Equal(t, s, back)
	}
	_, err := ParseStatus("x")
	require.ErrorContains(t, err, "allowed")
}

func FuzzDecodeEvent(f *testing.F) {
	for _, e := range sampleEvents() {
		f.Add(AppendEvent(nil, &e))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, n, err := DecodeEvent(b)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to something that decodes the same.
		again, _, err := DecodeEvent(AppendEvent(nil, &e))
		require.NoError(t, err)
		require.Equal(t, e, again)
		require.LessOrEqual(t, n, len(b))
	})
}

func TestPlainStringFastPathMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "Tokyo", "Hello Seattle!", "a\"b", "x\\y", "<tag>", "a&b", "tab\there", "é", "\x7f"} {
		fast, err := Marshal(s)
		require.NoError(t, err)
		slow, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(slow), string(fast), "%q", s)
		var back string
		require.NoError(t, Unmarshal(fast, &back))
		require.Equal(t, s, back)
	}
	var out string
	require.Error(t, Unmarshal([]byte(`"unterminated`), &out))
}

func TestMarshalRefusesPayloadsOverTheLimit(t *testing.T) {
	ok := strings.Repeat("a", MaxPayloadBytes-2) // two quotes make it exactly the limit
	b, err := Marshal(ok)
	require.NoError(t, err)
	require.Len(t, b, MaxPayloadBytes)
	_, err = Marshal(ok + "a")
	require.ErrorIs(t, err, ErrPayloadTooLarge)
	require.ErrorContains(t, err, "the encoded string is 262145 bytes, the limit is 262144")
	require.NoError(t, CheckPayload("x", make([]byte, MaxPayloadBytes)))
	require.ErrorIs(t, CheckPayload("x", make([]byte, MaxPayloadBytes+1)), ErrPayloadTooLarge)
}

// A client's []byte input is the JSON payload itself (copied), not a
// base64 string; invalid JSON is refused; other values encode as Marshal.
func TestClientPayloadPassesJSONBytesThrough(t *testing.T) {
	in := []byte(`{"city":"Tokyo"}`)
	got, err := ClientPayload(in)
	require.NoError(t, err)
	require.Equal(t, `{"city":"Tokyo"}`, string(got))
	in[2] = 'X'
	require.Equal(t, `{"city":"Tokyo"}`, string(got), "a copy: the caller may reuse its slice")
	var out struct{ City string }
	require.NoError(t, Unmarshal(got, &out))
	require.Equal(t, "Tokyo", out.City)

	got, err = ClientPayload(json.RawMessage(`[1,2]`))
	require.NoError(t, err)
	require.Equal(t, `[1,2]`, string(got))
	got, err = ClientPayload([]byte{})
	require.NoError(t, err)
	require.Nil(t, got, "empty bytes: no input")

	_, err = ClientPayload([]byte("Tokyo"))
	require.EqualError(t, err, "a []uint8 input is taken as a JSON payload, and these 5 bytes are not valid JSON; "+
		"allowed: JSON bytes, or any other value to be encoded as JSON")
	_, err = ClientPayload([]byte(`"` + strings.Repeat("x", MaxPayloadBytes) + `"`))
	require.ErrorIs(t, err, ErrPayloadTooLarge)

	got, err = ClientPayload(struct{ B []byte }{[]byte("hi")})
	require.NoError(t, err)
	require.Equal(t, `{"B":"aGk="}`, string(got), "bytes inside a value are base64 as encoding/json has them")
	got, err = ClientPayload("Tokyo")
	require.NoError(t, err)
	require.Equal(t, `"Tokyo"`, string(got))
}

// Unmarshal into a *json.RawMessage copies the payload as it is.
func TestUnmarshalRawMessageCopies(t *testing.T) {
	payload := []byte(`{"a":1}`)
	raw := json.RawMessage("old contents")
	require.NoError(t, Unmarshal(payload, &raw))
	payload[2] = 'b'
	require.Equal(t, `{"a":1}`, string(raw))
	require.NoError(t, Unmarshal(nil, &raw), "an empty payload leaves out unchanged")
	require.Equal(t, `{"a":1}`, string(raw))
}

// SubOrchestrations lists each child a history created once, in order.
func TestSubOrchestrationsOfHistory(t *testing.T) {
	h := []Event{{Kind: ExecutionStarted}, {Kind: SubOrchestrationCreated, ID: 1, Instance: "b"},
		{Kind: SubOrchestrationCreated, ID: 2, Instance: "a"}, {Kind: SubOrchestrationFailed, ID: 1},
		{Kind: SubOrchestrationCreated, ID: 3, Instance: "b"}, {Kind: TaskScheduled, ID: 4}}
	require.Equal(t, []string{"b", "a"}, SubOrchestrations(h))
	require.Nil(t, SubOrchestrations(nil))
}
