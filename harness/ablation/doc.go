// Package ablation turns each structural feature of the simulator's model
// off alone and measures what it does: to the fit of the calibration set
// (calibrate.Objective over calibrate.Targets, the same runs a fit scores)
// and to the shape of Fig. 9's Hello5 at 1, 4, 8 and 12 nodes × 4 cores for
// both engines, with the resource that bound each run. `dflab ablation`
// writes the table that the Fig. 9 notebook reads
// (results/ablation/ablation.csv).
package ablation
