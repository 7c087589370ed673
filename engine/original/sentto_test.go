package original

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
)

func TestSentToNumbersAndRoundTrips(t *testing.T) {
	s := sentTo{}
	require.EqualValues(t, 1, s.next("@r@1"))
	require.EqualValues(t, 2, s.next("@r@1"))
	require.EqualValues(t, 1, s.next("@r@2"))
	back, err := decodeSentTo(s.encode())
	require.NoError(t, err)
	require.Equal(t, s, back)
	_, err = decodeSentTo(append(s.encode(), 7))
	require.ErrorContains(t, err, "1 trailing bytes")
	_, err = decodeSentTo([]byte{5})
	require.Error(t, err)
}

// A receiver drops a numbered message at or below the last index applied
// from its sender, however old, and never forgets a numbered sender.
func TestDedupKeepsNumberedSenders(t *testing.T) {
	d := dedupSet{}
	d.accept("@m@1", 100)
	d.number("@m@1", 3)
	require.EqualValues(t, 3, d.numbered("@m@1"))
	for i := 0; i < dedupSenders+5; i++ {
		d.accept(string(rune('a'+i%26))+string(rune('a'+i/26)), 7)
	}
	require.EqualValues(t, 3, d.numbered("@m@1"), "numbered senders are not evicted")
	back, err := decodeDedup(encodeDedup(d))
	require.NoError(t, err)
	require.Equal(t, d, back)
	w := &Worker{}
	row := &entityRow{dedup: d}
	require.True(t, w.duplicate(row, &envelope{Sender: "@m@1", Seq: 5, Index: 2}))
	require.True(t, w.duplicate(row, &envelope{Sender: "@m@1", Seq: 5, Index: 3}))
	require.False(t, w.duplicate(row, &envelope{Sender: "@m@1", Seq: 5, Index: 4}))
	require.True(t, w.duplicate(row, &envelope{Sender: "@m@1", Seq: 100}))
}

// An entity applies a sender's numbered messages in index order whatever
// their order in the batch: a resent outbox or a message that reappears
// late may put a later index first (campaign seed 1358:
// before, index 17 arriving after index 34 was put back with it, again
// and again, and a WordCount reducer never finished).
func TestEntityAppliesNumberedMessagesInIndexOrder(t *testing.T) {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddEntity("Log", func(ctx *durable.EntityContext) error {
		var log []string
		if ctx.HasState() {
			if err := ctx.GetState(&log); err != nil {
				return err
			}
		}
		var s string
		if err := ctx.GetInput(&s); err != nil {
			return err
		}
		return ctx.SetState(append(log, s))
	}))
	w, err := NewWorker(Defaults("hub", "w1"), reg)
	require.NoError(t, err)
	id, err := durable.ParseEntityID("@Log@x")
	require.NoError(t, err)
	msg := func(index uint64, s string) received {
		p, err := durable.Marshal(s)
		require.NoError(t, err)
		return received{env: envelope{To: id.String(), Sender: "@m@1", Seq: 1000 + index, Index: index,
			Event: durable.Event{Kind: durable.EntitySignalRequested, Name: "add", Payload: p}}}
	}
	row := entityRow{dedup: dedupSet{}, sent: sentTo{}}
	b := w.applyEntity(id, &row, []received{msg(3, "c"), msg(5, "e"), msg(1, "a"), msg(2, "b"), msg(2, "b")})
	require.Equal(t, 3, b.fresh, "1, 2 and 3 are applied")
	require.Len(t, b.early, 1, "5 waits for 4")
	require.EqualValues(t, 5, b.early[0].env.Index)
	require.Len(t, b.used, 4, "the duplicate of 2 is used up")
	var log []string
	require.NoError(t, durable.Unmarshal(row.st.State, &log))
	require.Equal(t, []string{"a", "b", "c"}, log)
}

func TestOutboxRoundTrips(t *testing.T) {
	out := []outboundMsg{
		{queue: "hub-control-01", env: envelope{To: "@a@1", Sender: "@b@2", Seq: 9, Index: 3,
			Event: durable.Event{Kind: durable.EntitySignalRequested, Name: "add", Payload: []byte("1")}}},
		{queue: "hub-control-00", env: envelope{To: "o1", Sender: "@b@2", Seq: 10,
			Event: durable.Event{Kind: durable.EntityResponded, Request: "o1#4", Payload: []byte(`"x"`)}}},
	}
	back, err := decodeOutbox(encodeOutbox(out))
	require.NoError(t, err)
	require.Equal(t, out, back)
	none, err := decodeOutbox(nil)
	require.NoError(t, err)
	require.Empty(t, none)
	_, err = decodeOutbox(append(encodeOutbox(out), 1))
	require.ErrorContains(t, err, "1 trailing bytes")
	_, err = decodeOutbox(encodeOutbox(out)[:20])
	require.Error(t, err)
}
