package ablation

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Files written by Write into its directory.
const (
	TableFile   = "ablation.csv"         // one row per variant × Fig. 9 point
	TargetsFile = "ablation-targets.csv" // one row per variant × calibration target
)

// Columns of TableFile and TargetsFile.
var (
	TableColumns = []string{"feature", "hypothesis", "off", "objective", "worst_ratio", "worst_target", "within_25pct", "targets",
		"engine", "nodes", "cores", "instances", "throughput_per_s", "bound", "bound_utilisation"}
	TargetColumns = []string{"feature", "target", "unit", "paper", "dflab", "ratio"}
)

// Write saves rows and target rows as CSV into dir.
func Write(dir string, rows []Row, trows []TargetRow) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ablation: %w", err)
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	recs := [][]string{TableColumns}
	for _, r := range rows {
		recs = append(recs, []string{r.Feature, strconv.Itoa(r.Hypothesis), r.Off, g(r.Objective), g(r.WorstRatio), r.WorstID,
			strconv.Itoa(r.Within25), strconv.Itoa(r.Targets), r.Engine, strconv.Itoa(r.Nodes), strconv.Itoa(r.Cores),
			strconv.Itoa(r.Instances), g(r.ThroughputPerSec), r.Bound, g(r.BoundUtilisation)})
	}
	if err := writeCSV(filepath.Join(dir, TableFile), recs); err != nil {
		return err
	}
	recs = [][]string{TargetColumns}
	for _, t := range trows {
		recs = append(recs, []string{t.Feature, t.Target, t.Unit, g(t.Paper), g(t.Dflab), g(t.Ratio)})
	}
	return writeCSV(filepath.Join(dir, TargetsFile), recs)
}

func writeCSV(path string, recs [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("ablation: %w", err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(recs); err != nil {
		f.Close()
		return fmt.Errorf("ablation: %s: %w", path, err)
	}
	return f.Close()
}
