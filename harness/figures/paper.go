package figures

// The paper's numbers that paper-notes.md gives (its "Calibration set",
// from the authors' result files): the notebooks put dflab's numbers
// beside them. Everything else is "not in paper-notes".

// PaperSingleNode is Fig. 9's single-node throughput (work units/s) by
// workload, engine and cores per node.
var PaperSingleNode = map[string]map[string]map[int]float64{
	"hello5":    {"original": {1: 15.1, 2: 24.4, 4: 17.1}, "netherite": {1: 35.1, 2: 86.5, 4: 109.8}},
	"bank":      {"original": {1: 10.2, 2: 20.7, 4: 33.9}, "netherite": {1: 17.5, 2: 34.7, 4: 59.8}},
	"wordcount": {"original": {1: 286, 2: 361, 4: 1060}, "netherite": {1: 1002, 2: 1119, 4: 4279}},
	"collision": {"original": {1: 1.03, 2: 2.26, 4: 4.41}, "netherite": {1: 1.11, 2: 2.25, 4: 4.15}},
}

// PaperHello3Ms is Fig. 11's Hello3 latency on 4 nodes × 2 cores (ms):
// p25, p50, p90, p99 by system.
var PaperHello3Ms = map[string][4]float64{
	SystemNetheriteLocal: {11.6, 12.7, 15.5, 23.6},
	SystemNetheriteNone:  {87.6, 93.7, 116, 207},
	SystemOriginal:       {153, 202, 429, 2155},
	SystemStepFunctions:  {367, 379, 432, 545},
}

// Systems of the latency figure, as the notebooks name them.
const (
	SystemNetheriteLocal = "Netherite (local speculation)"
	SystemNetheriteNone  = "Netherite, no pipelining"
	SystemOriginal       = "original"
	SystemStepFunctions  = "workflow service (Step Functions)"
)

// PaperNote is what a notebook says where paper-notes.md gives no number.
const PaperNote = "not in paper-notes"
