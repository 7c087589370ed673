package conformance

import (
	"bytes"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func init() {
	queueCases = []testCase{
		{"enqueue-dequeue-delete", queueBasic},
		{"update-and-stale-receipt", queueUpdate},
		{"limits-and-bad-input", queueLimits},
		{"create-drop", queueCreateDrop},
		{"visibility-timeout", queueVisibility},
		{"initial-delay", queueDelay},
	}
}

func mkQueue(e *env, name string) {
	require.NoError(e.t, e.s.Queues.CreateQueue(ctx, name))
}

func queueBasic(e *env) {
	t, q := e.t, e.s.Queue
	mkQueue(e, "work")
	for _, m := range []string{"m1", "m2", "m3"} {
		r, err := port.QueueEnqueue{Queue: "work", Data: []byte(m)}.Apply(ctx, e.s)
		require.NoError(t, err)
		require.NotEmpty(t, r.(port.Enqueued).ID)
	}
	n, err := q.Length(ctx, "work")
	require.NoError(t, err)
	require.Equal(t, 3, n)
	got, err := q.Dequeue(ctx, "work", 2, 30*port.Second)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, []byte("m1"), got[0].Data)
	require.Equal(t, []byte("m2"), got[1].Data)
	for _, m := range got {
		require.Equal(t, 1, m.DequeueCount)
		require.NotEmpty(t, m.PopReceipt)
		require.NotEmpty(t, m.ID)
		require.Greater(t, m.NextVisible, m.InsertedAt)
	}
	peek, err := q.Peek(ctx, "work", 32)
	require.NoError(t, err)
	require.Len(t, peek, 1, "dequeued messages are invisible")
	require.Equal(t, []byte("m3"), peek[0].Data)
	require.Equal(t, 0, peek[0].DequeueCount)
	require.NoError(t, q.DeleteMessage(ctx, "work", got[0].ID, got[0].PopReceipt))
	require.ErrorIs(t, q.DeleteMessage(ctx, "work", got[0].ID, got[0].PopReceipt), port.ErrNotFound)
	n, err = q.Length(ctx, "work")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	bin := []byte{0, 1, 2, 0xff, '<', '&'}
	_, err = q.Enqueue(ctx, "work", bin, 0)
	require.NoError(t, err)
	rest, err := q.Dequeue(ctx, "work", 32, 30*port.Second)
	require.NoError(t, err)
	require.Len(t, rest, 2)
	require.Equal(t, bin, rest[1].Data, "binary content round-trips")
}

func queueUpdate(e *env) {
	t, q := e.t, e.s.Queue
	mkQueue(e, "upd")
	_, err := q.Enqueue(ctx, "upd", []byte("v1"), 0)
	require.NoError(t, err)
	got, err := q.Dequeue(ctx, "upd", 1, 60*port.Second)
	require.NoError(t, err)
	require.Len(t, got, 1)
	m := got[0]
	u, err := q.UpdateMessage(ctx, "upd", m.ID, m.PopReceipt, []byte("v2"), 0)
	require.NoError(t, err)
	require.NotEqual(t, m.PopReceipt, u.PopReceipt)
	require.ErrorIs(t, q.DeleteMessage(ctx, "upd", m.ID, m.PopReceipt), port.ErrPopReceipt, "stale receipt after update")
	_, err = q.UpdateMessage(ctx, "upd", m.ID, m.PopReceipt, nil, 0)
	require.ErrorIs(t, err, port.ErrPopReceipt)
	again, err := q.Dequeue(ctx, "upd", 1, 60*port.Second)
	require.NoError(t, err)
	require.Len(t, again, 1, "visibility 0 makes the message visible at once")
	require.Equal(t, m.ID, again[0].ID)
	require.Equal(t, []byte("v2"), again[0].Data)
	require.Equal(t, 2, again[0].DequeueCount)
	require.ErrorIs(t, q.DeleteMessage(ctx, "upd", m.ID, u.PopReceipt), port.ErrPopReceipt, "stale receipt after re-dequeue")
	require.NoError(t, q.DeleteMessage(ctx, "upd", m.ID, again[0].PopReceipt))
}

func queueLimits(e *env) {
	t, q := e.t, e.s.Queue
	mkQueue(e, "lim")
	_, err := q.Enqueue(ctx, "lim", make([]byte, port.MaxMessageBytes+1), 0)
	require.ErrorIs(t, err, port.ErrTooLarge)
	require.ErrorContains(t, err, "65536")
	_, err = q.Enqueue(ctx, "lim", make([]byte, 8<<10), 0)
	require.NoError(t, err)
	_, err = q.Dequeue(ctx, "lim", 33, 30*port.Second)
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.ErrorContains(t, err, "1..32")
	_, err = q.Dequeue(ctx, "lim", 0, 30*port.Second)
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = q.Dequeue(ctx, "lim", 1, 0)
	require.ErrorIs(t, err, port.ErrBadRequest, "visibility timeout under 1s")
	_, err = q.Enqueue(ctx, "lim", []byte("x"), -port.Second)
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = q.Peek(ctx, "lim", 33)
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.ErrorIs(t, e.s.Queues.CreateQueue(ctx, "Bad_Name"), port.ErrBadRequest)
	_, err = q.Enqueue(ctx, "nosuchqueue", []byte("x"), 0)
	require.ErrorIs(t, err, port.ErrNotFound)
	_, err = q.Dequeue(ctx, "nosuchqueue", 1, 30*port.Second)
	require.ErrorIs(t, err, port.ErrNotFound)
}

func queueCreateDrop(e *env) {
	t, q := e.t, e.s.Queue
	mkQueue(e, "ctl-00")
	mkQueue(e, "ctl-00") // idempotent
	_, err := q.Enqueue(ctx, "ctl-00", []byte("x"), 0)
	require.NoError(t, err)
	require.NoError(t, e.s.Queues.DeleteQueue(ctx, "ctl-00"))
	_, err = q.Length(ctx, "ctl-00")
	require.ErrorIs(t, err, port.ErrNotFound)
}

func queueVisibility(e *env) {
	e.needTime()
	t, q := e.t, e.s.Queue
	mkQueue(e, "vis")
	_, err := q.Enqueue(ctx, "vis", []byte("job"), 0)
	require.NoError(t, err)
	first, err := q.Dequeue(ctx, "vis", 1, 10*port.Second)
	require.NoError(t, err)
	require.Len(t, first, 1)
	none, err := q.Dequeue(ctx, "vis", 1, 10*port.Second)
	require.NoError(t, err)
	require.Empty(t, none, "invisible before the timeout")
	e.clock.Advance(10 * port.Second)
	second, err := q.Dequeue(ctx, "vis", 1, 10*port.Second)
	require.NoError(t, err)
	require.Len(t, second, 1, "reappears after the timeout")
	require.Equal(t, first[0].ID, second[0].ID)
	require.Equal(t, 2, second[0].DequeueCount)
	require.True(t, bytes.Equal([]byte("job"), second[0].Data))
	require.ErrorIs(t, q.DeleteMessage(ctx, "vis", first[0].ID, first[0].PopReceipt), port.ErrPopReceipt)
	require.NoError(t, q.DeleteMessage(ctx, "vis", second[0].ID, second[0].PopReceipt))
}

func queueDelay(e *env) {
	e.needTime()
	t, q := e.t, e.s.Queue
	mkQueue(e, "later")
	_, err := q.Enqueue(ctx, "later", []byte("timer"), 5*port.Second)
	require.NoError(t, err)
	got, err := q.Dequeue(ctx, "later", 1, 30*port.Second)
	require.NoError(t, err)
	require.Empty(t, got)
	n, err := q.Length(ctx, "later")
	require.NoError(t, err)
	require.Equal(t, 1, n, "length counts invisible messages")
	e.clock.Advance(5 * port.Second)
	got, err = q.Dequeue(ctx, "later", 1, 30*port.Second)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 1, got[0].DequeueCount)
}
