// Package durable is the programming model users write against: the
// orchestration, activity and entity function types and their contexts,
// tasks (await, await all, await any, retries), entity ids and critical
// sections, the registry that maps names to functions, the client
// interface, instance placement, and the history events and messages that
// the executors and both engines exchange, with their compact versioned
// binary encoding and a JSON form for humans.
//
// The orchestration context is backed by a Runtime that engine/replay
// implements; nothing here runs on its own.
package durable
