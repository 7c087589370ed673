package durable

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// An entity's StartNewOrchestration is a message like a signal: an
// ExecutionStarted to the new instance with no parent; an entity id or an
// empty name is refused.
func TestEntityStartNewOrchestration(t *testing.T) {
	c := NewEntityContext(EntityID{Name: "launcher", Key: "0"}, "start", nil, nil, false)
	require.NoError(t, c.StartNewOrchestration("Hello5", "h1", map[string]int{"n": 1}))
	require.ErrorContains(t, c.StartNewOrchestration("Hello5", "@e@1", nil), "not an entity id")
	require.ErrorContains(t, c.StartNewOrchestration("", "h2", nil), "want a name")
	_, _, _, msgs := c.Effects()
	require.Equal(t, []Message{{To: "h1", Event: Event{Kind: ExecutionStarted, Name: "Hello5", Payload: []byte(`{"n":1}`)}}}, msgs)
}
