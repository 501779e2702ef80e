package views

import "fmt"

// What podlab completion and the hidden __complete print: data for a
// shell, and messages that are never colored (completion takes no
// options to turn color off with).

// Candidates lists completion candidates, one a line, for the shell
// scripts to read.
func (v *View) Candidates(cands []string) {
	for _, c := range cands {
		v.Data([]byte(c + "\n"))
	}
}

// CompletionScript writes a shell's completion script.
func (v *View) CompletionScript(script string) { v.Data([]byte(script)) }

// CompletionHelp shows how to load the completion script in each shell.
func (v *View) CompletionHelp(usageLine, synopsis string) {
	v.outPrintf("Usage: podlab %s\n\n  %s\n\n  bash: source <(podlab completion bash)   (or write it to /etc/bash_completion.d/podlab)\n  zsh:  source <(podlab completion zsh)    after compinit (or write it as _podlab into a directory of $fpath)\n  fish: podlab completion fish | source    (or write it to ~/.config/fish/completions/podlab.fish)\n",
		usageLine, synopsis)
}

// CompletionNoShell says completion takes one shell.
func (v *View) CompletionNoShell() {
	v.errPrintf("Error: podlab completion takes one shell: bash, zsh or fish\n\nRun \"podlab completion -h\" for how to load it.\n")
}

// CompletionUnknownShell says podlab has no script for shell, suggesting
// the nearest it has ("" for none).
func (v *View) CompletionUnknownShell(shell, suggestion string) {
	msg := fmt.Sprintf("Error: podlab completion knows bash, zsh and fish, not %q", shell)
	if suggestion != "" {
		msg += fmt.Sprintf("; did you mean %q?", suggestion)
	}
	v.errPrintf("%s\n", msg)
}
