// Package netherite is the Netherite engine's system descriptor (System):
// its knobs, its deployment on the simulator (Sim: partition i on node
// i mod N, the client and the load monitor on a node of their own), its
// start on the real driver, its fault glue (Sim.SimTarget: moves, lease
// losses, torn tails, lost unsynced writes), planted bugs and counters.
// The engine's cores are in engine/netherite.
package netherite
