package sshx

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestCommandQuoting(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"kubeadm", "init", "--config", "/etc/kubernetes/podlab/kubeadm.yaml"}, "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml"},
		{[]string{"cat", "--", "/tmp/a b"}, "cat -- '/tmp/a b'"},
		{[]string{"echo", ""}, "echo ''"},
		{[]string{"echo", "it's"}, `echo 'it'"'"'s'`},
		{[]string{"echo", "$(reboot)"}, "echo '$(reboot)'"},
	}
	for _, tt := range tests {
		if got := Command(tt.argv...); got != tt.want {
			t.Errorf("Command(%q) = %s, want %s", tt.argv, got, tt.want)
		}
	}
}

// TestCommandRoundTrip has a real sh parse what Command produced: every word
// must come back as exactly one argument, unexpanded.
func TestCommandRoundTrip(t *testing.T) {
	words := []string{"plain", "", "two words", "it's", `back\slash`, "$HOME", "`id`", "$(id)", "a;b", "a|b", "*", "~", "new\nline", "tab\there", `"dq"`, "--flag=x y", "ünïcode", "!bang"}
	script := `for a in "$@"; do printf '%s\0' "$a"; done`
	out, err := exec.Command("sh", "-c", "sh -c "+Quote(script)+" sh "+Command(words...)).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if !slices.Equal(got, words) {
		t.Errorf("round trip:\n got %q\nwant %q", got, words)
	}
}
