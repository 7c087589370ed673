package workload

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKindOfReadsTheViolationNotTheText(t *testing.T) {
	v := Violationf(Conservation, "sum %d, want %d (more than once)", 3, 4)
	require.Equal(t, Conservation, KindOf(v))
	require.Equal(t, Conservation, KindOf(fmt.Errorf("wrapped: %w", v)), "through wrapping")
	require.EqualError(t, v, "sum 3, want 4 (more than once)")
	require.Equal(t, WrongOutput, KindOf(errors.New("not conserved")), "text says nothing")
	require.Equal(t, Kind(""), KindOf(nil))
	require.Equal(t, DuplicateEffect, Count(2, 1))
	require.Equal(t, LostEffect, Count(0, 1))
}
