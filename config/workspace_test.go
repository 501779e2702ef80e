package config

import (
	"strings"
	"testing"
)

func TestValidateWorkspace(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		hint string // part of the error
	}{
		{"", true, ""},
		{"default", true, ""},
		{"evening", true, ""},
		{"fall-2025", true, ""},
		{"t1a2b3", true, ""},
		{strings.Repeat("a", MaxWorkspace), true, ""},
		{strings.Repeat("a", MaxWorkspace+1), false, "at most 20 characters"},
		{"../../../../tmp/x", false, "lowercase letters"},
		{"반", false, "lowercase letters"},
		{"Fall 2025", false, `such as "fall-2025"`},
		{"FALL_2025", false, `such as "fall-2025"`},
		{"fall--2025", false, "single '-'"},
		{"2025-fall", false, "starting with a letter"},
		{"fall-", false, "ending with a letter or digit"},
		{"-fall", false, ""},
		{"a/b", false, ""},
		{"a.b", false, ""},
	}
	for _, tt := range tests {
		err := ValidateWorkspace(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateWorkspace(%q) = %v, want ok=%v", tt.name, err, tt.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.hint) {
			t.Errorf("ValidateWorkspace(%q) = %q, want it to say %q", tt.name, err, tt.hint)
		}
	}
}

// Workspaces that are valid never share a namespace part: each is its own
// slug, so distinct names stay distinct.
func TestValidWorkspacesAreTheirOwnSlug(t *testing.T) {
	for _, ws := range []string{"evening", "fall-2025", "a1", "x-y-z"} {
		if ValidateWorkspace(ws) != nil || workspaceSlug(ws) != ws {
			t.Errorf("workspace %q: slug %q", ws, workspaceSlug(ws))
		}
	}
}
