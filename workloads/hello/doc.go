// Package hello holds the paper's smallest workloads: Hello3 and Hello5
// (an orchestration calls the trivial SayHello activity for the first 3 or
// all 5 of Tokyo, Seattle, London, Amsterdam, Mumbai, in sequence, and
// returns the greetings) and Sequence n (a chain of n activities passing a
// small object along, each step stamping it).
package hello
