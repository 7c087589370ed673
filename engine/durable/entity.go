package durable

import "fmt"

// EntityContext is what an entity function gets for one operation.
type EntityContext struct {
	id      EntityID
	op      string
	input   []byte
	state   []byte
	exists  bool
	result  []byte
	signals []Message
}

// NewEntityContext prepares one operation on an entity whose current state
// is state (exists reports whether the entity has state at all).
func NewEntityContext(id EntityID, operation string, input, state []byte, exists bool) *EntityContext {
	return &EntityContext{id: id, op: operation, input: input, state: state, exists: exists}
}

// ID is the entity's id.
func (c *EntityContext) ID() EntityID { return c.id }

// Operation is the name of the operation being executed.
func (c *EntityContext) Operation() string { return c.op }

// GetInput decodes the operation's input into out.
func (c *EntityContext) GetInput(out any) error { return Unmarshal(c.input, out) }

// HasState reports whether the entity has state.
func (c *EntityContext) HasState() bool { return c.exists }

// GetState decodes the entity's state into out; without state out is left
// unchanged (so callers can preset a default).
func (c *EntityContext) GetState(out any) error {
	if !c.exists {
		return nil
	}
	return Unmarshal(c.state, out)
}

// SetState replaces the entity's state.
func (c *EntityContext) SetState(v any) error {
	b, err := Marshal(v)
	if err != nil {
		return fmt.Errorf("entity %s state: %w", c.id, err)
	}
	c.state, c.exists = b, true
	return nil
}

// DeleteState removes the entity's state.
func (c *EntityContext) DeleteState() { c.state, c.exists = nil, false }

// Return sets the operation's result, delivered to a caller that called
// (rather than signalled) the operation.
func (c *EntityContext) Return(v any) error {
	b, err := Marshal(v)
	if err != nil {
		return fmt.Errorf("entity %s operation %q result: %w", c.id, c.op, err)
	}
	c.result = b
	return nil
}

// SignalEntity sends a one-way operation to an entity (possibly itself);
// it is sent only if this operation succeeds.
func (c *EntityContext) SignalEntity(id EntityID, operation string, input any) error {
	b, err := Marshal(input)
	if err != nil {
		return fmt.Errorf("signal %s %q input: %w", id, operation, err)
	}
	c.signals = append(c.signals, Message{To: id.String(),
		Event: Event{Kind: EntitySignalRequested, Instance: c.id.String(), Name: operation, Payload: b}})
	return nil
}

// StartNewOrchestration starts orchestration name as instance id with
// input, as a client's start would, without waiting for it (Durable
// Functions' context.StartNewOrchestration of entities): the start is sent
// only if this operation succeeds, like a signal, and the instance has no
// parent to notify. id must name no entity ("@name@key").
func (c *EntityContext) StartNewOrchestration(name, id string, input any) error {
	if name == "" || id == "" || id[0] == '@' {
		return fmt.Errorf("entity %s: start orchestration %q as %q: want a name and an orchestration instance id (not an entity id)", c.id, name, id)
	}
	b, err := Marshal(input)
	if err != nil {
		return fmt.Errorf("entity %s: start %s %q input: %w", c.id, name, id, err)
	}
	c.signals = append(c.signals, Message{To: id, Event: Event{Kind: ExecutionStarted, Name: name, Payload: b}})
	return nil
}

// Effects returns what the operation did: the new state, the result and the
// signals it sent. Executors call it after the entity function returns.
func (c *EntityContext) Effects() (state []byte, exists bool, result []byte, signals []Message) {
	return c.state, c.exists, c.result, c.signals
}
