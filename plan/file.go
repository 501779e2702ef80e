package plan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Save writes a plan file atomically, readable only by its owner (plans
// can hold manifests with secrets in them).
func Save(p *Plan, path string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".podlab-plan-*")
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}

// Load reads a plan file saved by Save.
func Load(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s is not a podlab plan file: %w", path, err)
	}
	if p.FormatVersion == 0 {
		return nil, fmt.Errorf("%s is not a podlab plan file (no format_version)", path)
	}
	if p.FormatVersion > FormatVersion {
		return nil, fmt.Errorf("%s was saved by a newer podlab (plan format %d; this podlab reads %d): upgrade podlab or make the plan again",
			path, p.FormatVersion, FormatVersion)
	}
	return &p, nil
}
