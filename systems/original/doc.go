// Package original is the original engine's system descriptor (System):
// its knobs, its deployment on the simulator (Sim: one worker core per
// node, its inputs stepped on the node's thread pool with threadPool; the
// client core on a node of its own, whose sends wake the poller of the app
// node they ran on with clientOnNodes), its start on the real
// driver, its fault glue (Sim.SimTarget: lease losses of control queues),
// planted bugs and counters. The engine's cores are in engine/original.
package original
