package original

import (
	"testing"

	"github.com/stretchr/testify/require"
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
