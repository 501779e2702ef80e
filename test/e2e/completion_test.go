package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shell runs a script in bash or zsh with the built podlab first on PATH.
// A missing shell skips the test, unless PODLAB_E2E=1 (CI installs both).
func shell(t *testing.T, name string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("PODLAB_E2E") == "1" {
			t.Fatalf("%s is not installed (apt-get install %s)", name, name)
		}
		t.Skipf("%s is not installed", name)
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(podlabBin)+":"+os.Getenv("PATH"), "PODLAB_WORKSPACE=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// The completion scripts load in bash and zsh, and bash's completes a
// command, a flag and a subcommand through podlab __complete.
func TestCompletionScriptsLoad(t *testing.T) {
	out := shell(t, "bash", "-c", `set -e
source <(podlab completion bash)
complete -p podlab
for line in "podlab ap" "podlab plan -tar" "podlab workspace sel"; do
  read -ra COMP_WORDS <<< "$line"
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  _podlab
  echo "got: ${COMPREPLY[*]}"
done`)
	for _, want := range []string{"-F _podlab podlab", "got: apply", "got: -target", "got: select"} {
		if !strings.Contains(out, want) {
			t.Errorf("bash: %q missing:\n%s", want, out)
		}
	}
	out = shell(t, "zsh", "-f", "-c", `autoload -U compinit && compinit -u -D
source <(podlab completion zsh)
print -r -- "comp: ${_comps[podlab]}"
whence -w _podlab`)
	for _, want := range []string{"comp: _podlab", "_podlab: function"} {
		if !strings.Contains(out, want) {
			t.Errorf("zsh: %q missing:\n%s", want, out)
		}
	}
}
