package dflab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// HubFile is the file that marks a directory as one task hub's
// (Options.Dir), written when the hub is created there.
const HubFile = "dflab-hub.json"

// hubMark is what HubFile records: the task hub that owns the directory.
type hubMark struct {
	Hub    string `json:"hub"`
	Engine string `json:"engine"`
}

// claimDir applies the rule for Options.Dir, so two runs are never mixed
// in one directory: an absent or empty directory gets a new task hub
// (and HubFile naming it); a directory whose HubFile names the same hub
// and engine is that hub, reopened (recovery after a stop or a crash);
// anything else (another hub's or engine's directory, files dflab did not
// make) is refused.
func claimDir(dir, hub, engine string) error {
	want := hubMark{Hub: hub, Engine: engine}
	path := filepath.Join(dir, HubFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		var have hubMark
		if err := json.Unmarshal(data, &have); err != nil {
			return fmt.Errorf("Options.Dir %s: %s is not a task hub record: %v", dir, HubFile, err)
		}
		if have != want {
			return fmt.Errorf("Options.Dir %s holds task hub %q of engine %s; reopening it needs Options.Hub %q and Engine %q, a new hub needs an empty directory",
				dir, have.Hub, have.Engine, have.Hub, have.Engine)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("Options.Dir %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("Options.Dir %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("Options.Dir %s is not empty and holds no task hub (%s has %d entries, e.g. %s, and no %s): a new task hub needs an empty directory",
			dir, dir, len(entries), entries[0].Name(), HubFile)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("Options.Dir %s: %w", dir, err)
	}
	data, err = json.Marshal(want)
	if err != nil {
		return fmt.Errorf("Options.Dir %s: %w", dir, err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("Options.Dir %s: %w", dir, err)
	}
	return nil
}
