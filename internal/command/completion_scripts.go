package command

import "strings"

// The scripts ask podlab itself for the candidates (podlab __complete
// WORDS...). When it offers none, the shell completes file names, which is
// what the options left (-out, -var-file, -chdir, a plan file) take.

const bashCompletion = `# bash completion for podlab: source <(podlab completion bash)
_podlab() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local IFS=$'\n'
    local -a cands
    cands=($(command podlab __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
    COMPREPLY=()
    local c
    for c in "${cands[@]}"; do
        if [[ $cur == [\'\"]* ]]; then
            COMPREPLY+=("$c")
        else
            COMPREPLY+=("$(printf '%q' "$c")")
        fi
    done
}
complete -o default -o nospace -F _podlab podlab
`

const zshCompletion = `#compdef podlab
# zsh completion for podlab: source <(podlab completion zsh), after compinit
_podlab() {
    local -a cands
    cands=("${(@f)$(command podlab __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    cands=(${cands:#})
    if (( ${#cands} == 0 )); then
        _files
        return
    fi
    compadd -- "${cands[@]}"
}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
    _podlab "$@"
else
    compdef _podlab podlab
fi
`

const fishCompletion = `# fish completion for podlab: podlab completion fish | source
function __podlab_complete
    set -l words (commandline -opc) (commandline -ct)
    command podlab __complete $words[2..-1] 2>/dev/null
end
complete -c podlab -a '(__podlab_complete)'
`

func runCompletion(m *Meta, args []string) int {
	const usageLine = "completion bash|zsh|fish"
	v := m.plainView()
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		v.CompletionHelp(usageLine, commands["completion"].synopsis)
		return ExitOK
	}
	if len(args) != 1 {
		v.CompletionNoShell()
		return ExitError
	}
	switch strings.ToLower(args[0]) {
	case "bash":
		v.CompletionScript(bashCompletion)
	case "zsh":
		v.CompletionScript(zshCompletion)
	case "fish":
		v.CompletionScript(fishCompletion)
	default:
		v.CompletionUnknownShell(args[0], nearest(args[0], []string{"bash", "zsh", "fish"}))
		return ExitError
	}
	return ExitOK
}
