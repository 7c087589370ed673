package port

import (
	"context"
	"fmt"
)

// Queue service limits (as Azure Queue Storage).
const (
	MaxMessageBytes   = 64 << 10               // message content
	MaxDequeue        = 32                     // messages per Get Messages
	MaxPeek           = 32                     // messages per Peek Messages
	MaxVisibility     = 7 * 24 * 3600 * Second // visibility timeout / initial delay
	MinDequeueTimeout = 1 * Second             // shortest visibility timeout on dequeue
	MinQueueNameLen   = 3
	MaxQueueNameLen   = 63
)

// Message is a queue message. Peeked messages have no PopReceipt.
type Message struct {
	ID           string
	PopReceipt   string // proof of the latest dequeue or update
	DequeueCount int    // how many times the message was dequeued
	InsertedAt   Time
	NextVisible  Time // when the message becomes visible again
	Data         []byte
}

// Enqueued is the outcome of an enqueue.
type Enqueued struct {
	ID          string
	PopReceipt  string
	InsertedAt  Time
	NextVisible Time
}

// Updated is the outcome of an update: the new pop receipt (the old one is
// stale from now on) and when the message is visible again.
type Updated struct {
	PopReceipt  string
	NextVisible Time
}

// QueueAdmin creates and deletes queues.
type QueueAdmin interface {
	// CreateQueue creates the queue; creating an existing one succeeds
	// ("queue-create").
	CreateQueue(ctx context.Context, name string) error
	// DeleteQueue deletes the queue and its messages ("queue-drop").
	DeleteQueue(ctx context.Context, name string) error
}

// Queue is an Azure-style storage queue. Messages have no time-to-live.
// Operations on a missing queue fail with ErrNotFound.
type Queue interface {
	// Enqueue adds a message (0..MaxMessageBytes, larger: ErrTooLarge)
	// visible after delay (0..MaxVisibility) ("queue-enqueue").
	Enqueue(ctx context.Context, queue string, data []byte, delay Time) (Enqueued, error)
	// Dequeue takes up to n (1..MaxDequeue) visible messages, oldest first,
	// hiding them for visibility (MinDequeueTimeout..MaxVisibility) and
	// incrementing their dequeue count ("queue-dequeue").
	Dequeue(ctx context.Context, queue string, n int, visibility Time) ([]Message, error)
	// DeleteMessage deletes a message; a stale pop receipt fails with
	// ErrPopReceipt, a deleted message with ErrNotFound ("queue-delete").
	DeleteMessage(ctx context.Context, queue, id, popReceipt string) error
	// UpdateMessage replaces the content (if data is non-nil) and makes the
	// message visible after visibility (0..MaxVisibility) ("queue-update").
	UpdateMessage(ctx context.Context, queue, id, popReceipt string, data []byte, visibility Time) (Updated, error)
	// Peek returns up to n (1..MaxPeek) visible messages without hiding
	// them ("queue-peek").
	Peek(ctx context.Context, queue string, n int) ([]Message, error)
	// Length returns the approximate number of messages, visible or not
	// ("queue-length").
	Length(ctx context.Context, queue string) (int, error)
}

// ValidQueueName checks a queue name as Azure does: 3..63 characters,
// lowercase letters, digits and single hyphens, starting and ending with a
// letter or digit.
func ValidQueueName(name string) error {
	bad := len(name) < MinQueueNameLen || len(name) > MaxQueueNameLen
	for i := 0; !bad && i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(name)-1 && name[i-1] != '-':
		default:
			bad = true
		}
	}
	if bad {
		return BadRequest("queue name", fmt.Sprintf("%q", name),
			"3..63 of [a-z0-9-], starting and ending with [a-z0-9], no '--'")
	}
	return nil
}

// ValidMessage checks a message's size.
func ValidMessage(data []byte) error {
	if len(data) > MaxMessageBytes {
		return TooLarge("message", len(data), MaxMessageBytes)
	}
	return nil
}

// ValidDelay checks an enqueue delay or an update's visibility.
func ValidDelay(field string, d Time) error {
	if d < 0 || d > MaxVisibility {
		return BadRequest(field, d, "0..7 days")
	}
	return nil
}

// ValidDequeue checks a dequeue's count and visibility timeout.
func ValidDequeue(n int, visibility Time) error {
	if n < 1 || n > MaxDequeue {
		return BadRequest("dequeue count", n, "1..32")
	}
	if visibility < MinDequeueTimeout || visibility > MaxVisibility {
		return BadRequest("visibility timeout", visibility, "1s..7 days")
	}
	return nil
}

// ValidPeek checks a peek's count.
func ValidPeek(n int) error {
	if n < 1 || n > MaxPeek {
		return BadRequest("peek count", n, "1..32")
	}
	return nil
}
