package netherite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay"
)

// TestEntityStatusReportsItsLastUpdate: an entity's status reports when
// its last step was applied (the step's time), that time survives a
// checkpoint, and an entity that goes idle forgets it.
func TestEntityStatusReportsItsLastUpdate(t *testing.T) {
	reg := durable.NewRegistry()
	st := newState(0, 1)
	const inst = "@Summary@job"
	step := func(seq, at int64, e replay.EntityState) {
		st.apply(reg, &update{Seq: seq, At: at, Body: entityStep{Instance: inst, Entity: e}})
	}
	step(1, 1_000_000, replay.EntityState{Exists: true, State: []byte(`1`)})
	step(2, 42_000_000, replay.EntityState{Exists: true, State: []byte(`2`)})
	s, ok := st.status(inst)
	require.True(t, ok)
	require.Equal(t, time.Unix(0, 42_000_000).UTC(), s.Updated, "the last step's time, not the first's")
	require.Equal(t, []byte(`2`), s.Output)

	e := enc{}
	encodeCheckpoint(&e, st, 0, 1)
	got, _, _, err := decodeCheckpoint(e.b, 0, 1)
	require.NoError(t, err)
	s, ok = got.status(inst)
	require.True(t, ok)
	require.Equal(t, time.Unix(0, 42_000_000).UTC(), s.Updated, "a checkpoint keeps it")

	step(3, 50_000_000, replay.EntityState{})
	_, ok = st.status(inst)
	require.False(t, ok)
	require.NotContains(t, st.EntityUpdated, inst, "an idle entity is deleted with its update time")
}
