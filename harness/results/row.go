package results

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
)

// Schema identifies the row format; readers reject other schemas.
const Schema = "dflab.result/v1"

// Version is the dflab version written into every row.
const Version = "0.1.0-dev"

// UnknownRevision is the git revision when git cannot tell.
const UnknownRevision = "unknown"

// Row is one run: one repetition of one resolved spec.
type Row struct {
	Schema string `json:"schema"`
	// RunID is ConfigID plus "-r" and the repetition: stable across
	// re-runs of the same spec.
	RunID      string    `json:"runId"`
	ConfigID   string    `json:"configId"`
	Spec       spec.Spec `json:"spec"`
	Repetition int       `json:"repetition"`
	// Seed is this repetition's seed (see harness: spec seed + repetition).
	Seed        uint64 `json:"seed"`
	GitRevision string `json:"gitRevision"`
	// ModelsHash is the sha256 of the simulator model set's canonical JSON
	// (backend sim only): runs on two sets of the same name differ here.
	ModelsHash  string      `json:"modelsHash,omitempty"`
	Version     string      `json:"dflabVersion"`
	StartedAt   string      `json:"startedAt"` // RFC 3339, UTC, wall clock
	WallTimeSec float64     `json:"wallTimeSec"`
	Metrics     metrics.Set `json:"metrics"`
	// Error is why the run failed; a failed run is recorded, not dropped,
	// and is left out of the summaries.
	Error string `json:"error,omitempty"`
}

// ConfigID is a short stable hash of a resolved spec's JSON: rows with
// the same ConfigID are repetitions of one configuration.
func ConfigID(s spec.Spec) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("results: config id: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6]), nil
}

// NewRow starts a row for repetition rep of s (resolved) with its ids,
// schema and version filled.
func NewRow(s spec.Spec, rep int, seed uint64, revision string) (Row, error) {
	id, err := ConfigID(s)
	if err != nil {
		return Row{}, err
	}
	return Row{Schema: Schema, RunID: id + "-r" + strconv.Itoa(rep), ConfigID: id, Spec: s,
		Repetition: rep, Seed: seed, GitRevision: revision, Version: Version}, nil
}

// BuildRevision is the git revision the running binary was built from,
// from its build info (go build and go run record vcs.revision when built
// inside the repository), with DirtySuffix appended when the tree had
// uncommitted changes (vcs.modified); UnknownRevision when the binary
// carries none (go test, -buildvcs=false, a build outside the repository).
// It never looks at the current directory: a binary run elsewhere reports
// what it was built from.
func BuildRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return UnknownRevision
	}
	return RevisionOf(info.Settings)
}

// DirtySuffix marks a revision built from a tree with uncommitted changes.
const DirtySuffix = "-dirty"

// RevisionOf is the git revision build settings record (-dirty for
// uncommitted changes), or UnknownRevision.
func RevisionOf(settings []debug.BuildSetting) string {
	rev, dirty := "", false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return UnknownRevision
	}
	if dirty {
		rev += DirtySuffix
	}
	return rev
}

// Writer appends rows to a JSONL stream, one compact JSON object a line.
type Writer struct{ w io.Writer }

// NewWriter writes rows to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write appends one row.
func (w *Writer) Write(r Row) error {
	if r.Schema != Schema {
		return fmt.Errorf("results: row %s has schema %q, want %q", r.RunID, r.Schema, Schema)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("results: encode row %s: %w", r.RunID, err)
	}
	if _, err := w.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("results: write row %s: %w", r.RunID, err)
	}
	return nil
}

// maxLine bounds one JSONL line (a row with a full histogram and timeline).
const maxLine = 64 << 20

// Read reads every row of a JSONL stream; blank lines are skipped. An
// error names the line.
func Read(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var rows []Row
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var row Row
		if err := json.Unmarshal(line, &row); err != nil {
			return nil, fmt.Errorf("results: line %d: %w", n, err)
		}
		if row.Schema != Schema {
			return nil, fmt.Errorf("results: line %d: schema %q, want %q", n, row.Schema, Schema)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("results: read: %w", err)
	}
	return rows, nil
}
