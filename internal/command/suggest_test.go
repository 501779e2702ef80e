package command

import (
	"strings"
	"testing"
)

func TestSuggestCommand(t *testing.T) {
	tests := []struct {
		given, want string
	}{
		{"aply", "apply"},
		{"apply", "apply"},
		{"plna", "plan"},
		{"destory", "destroy"},
		{"dest", "destroy"},
		{"valdate", "validate"},
		{"workspaces", "workspace"},
		{"sate", "state"},
		{"kubectl", ""},
		{"x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := suggestCommand(tt.given); got != tt.want {
			t.Errorf("suggestCommand(%q) = %q, want %q", tt.given, got, tt.want)
		}
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	r := run(t, "", nil, "aply")
	if r.code != ExitError || !strings.Contains(r.stderr, `Did you mean "apply"?`) {
		t.Errorf("podlab aply: exit %d\n%s", r.code, r.stderr)
	}
	r = run(t, "", nil, "kubectl")
	if strings.Contains(r.stderr, "Did you mean") {
		t.Errorf("podlab kubectl suggests something:\n%s", r.stderr)
	}
}
