package durable

import "fmt"

// PurgeKids is a recursive purge's walk over the sub-orchestrations of a
// purged instance, one after the other, for the engines whose client
// purges them in turn (original, sql): Children[0] is the one being
// purged, Resp counts what was purged so far (the parent included), To is
// where the answer goes once the last one is done (the engine's own
// continuation data).
type PurgeKids[T any] struct {
	Children []string
	Resp     ClientResponse
	To       T
}

// Next is the child to purge next; ok false when none is left (Resp is
// then the answer for To).
func (k *PurgeKids[T]) Next() (child string, ok bool) {
	if len(k.Children) == 0 {
		return "", false
	}
	return k.Children[0], true
}

// Answered takes the answer of the purge of Children[0]: a purged child
// is counted; one refused (still running, already purged) is left as it
// is; any other failure ends the walk with the error to answer To with.
func (k *PurgeKids[T]) Answered(resp ClientResponse, err error) error {
	switch {
	case err == nil:
		k.Resp.Purged += resp.Purged
	case resp.Refused == NotRefused:
		return fmt.Errorf("purge of sub-orchestration %s: %w", k.Children[0], err)
	}
	k.Children = k.Children[1:]
	return nil
}
