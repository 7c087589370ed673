package original

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSentToChainsAndRoundTrips(t *testing.T) {
	s := sentTo{}
	require.Zero(t, s.chain("@r@1", 11))
	require.EqualValues(t, 11, s.chain("@r@1", 12))
	require.Zero(t, s.chain("@r@2", 21))
	back, err := decodeSentTo(s.encode())
	require.NoError(t, err)
	require.Equal(t, s, back)
	_, err = decodeSentTo(append(s.encode(), 7))
	require.ErrorContains(t, err, "1 trailing bytes")
	_, err = decodeSentTo([]byte{5})
	require.Error(t, err)

	big := sentTo{}
	for i := 0; i <= maxSentTo; i++ {
		big.chain(fmt.Sprintf("@r@%05d", i), uint64(i+1))
	}
	require.Len(t, big, maxSentTo)
	require.NotContains(t, big, "@r@00000", "the smallest name is forgotten")
	require.Contains(t, big, fmt.Sprintf("@r@%05d", maxSentTo))
}
