package figures

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

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
	SystemSQL            = "sql (16 vCores)"
	SystemStepFunctions  = "workflow service (Step Functions)"
)

// PaperNote is what a notebook says where paper-notes.md gives no number.
const PaperNote = "not in paper-notes"

// PaperFile is the name of the paper's numbers in the results directory.
const PaperFile = "paper.csv"

// PaperColumns are paper.csv's header. set is "calibration": every number
// paper-notes.md gives is in its calibration set (the model set is fitted
// to them; every other figure is validation, with no paper number).
var PaperColumns = []string{"figure", "workload", "system", "engine", "speculation", "nodes", "cores", "metric", "value", "unit", "set", "source"}

// paperSystems are the Hello3 systems with their engine and speculation.
var paperSystems = [][3]string{
	{SystemNetheriteLocal, "netherite", "local"},
	{SystemNetheriteNone, "netherite", "none"},
	{SystemOriginal, "original", ""},
	{SystemStepFunctions, "", ""},
}

// WritePaperCSV writes the numbers of PaperSingleNode and PaperHello3Ms,
// one per line, for the notebooks to compare against.
func WritePaperCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	recs := [][]string{PaperColumns}
	units := map[string]string{"hello5": "orchestrations/s", "bank": "transactions/s", "wordcount": "words/s", "collision": "1e9 numbers/s"}
	for _, wl := range ThroughputWorkloads {
		for _, e := range []string{"original", "netherite"} {
			for _, c := range []int{1, 2, 4} {
				v, ok := PaperSingleNode[wl][e][c]
				if !ok {
					continue
				}
				sys, spec := SystemOriginal, ""
				if e == "netherite" {
					sys, spec = SystemNetheriteLocal, "local"
				}
				recs = append(recs, []string{"fig9", wl, sys, e, spec, "1", strconv.Itoa(c), "throughput_per_s",
					strconv.FormatFloat(v, 'g', -1, 64), units[wl], "calibration", "paper-notes.md: single-node throughput (Fig. 9, means)"})
			}
		}
	}
	for _, s := range paperSystems {
		for i, q := range []string{"p25", "p50", "p90", "p99"} {
			recs = append(recs, []string{"fig11", "hello3", s[0], s[1], s[2], "4", "2", "latency_" + q + "_ms",
				strconv.FormatFloat(PaperHello3Ms[s[0]][i], 'g', -1, 64), "ms", "calibration", "paper-notes.md: Hello3 latency on 4 nodes × 2 cores"})
		}
	}
	if err := cw.WriteAll(recs); err != nil {
		return fmt.Errorf("figures: %s: %w", PaperFile, err)
	}
	return nil
}
