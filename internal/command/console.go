package command

import (
	"bufio"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/term"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
)

// runConsole is Terraform's console: each line read is an expression,
// evaluated against the lab and what its state records (pods' IPs, UIDs),
// its value printed in HCL. It reads to the end of its input, so
// "echo 'var.students' | podlab console" works in scripts; it exits 1
// when an expression failed.
func runConsole(m *Meta, args []string) int {
	a, fs, err := arguments.ParseConsole(args)
	if err != nil {
		return parseError(m, "console", "console [-var NAME=VALUE]", fs, err)
	}
	v := m.view(a.View)
	l, ok := m.loadLab(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace})
	if !ok {
		return ExitError
	}
	// The state is read when there is one: without it, what apply decides
	// is "(known after apply)".
	env := l.Env
	if mgr, err := m.openState(l, a.State.Unlocked(), "console"); err == nil {
		st := mgr.State()
		mgr.Close()
		if again, ds := l.Reevaluate(engine.StateRuntime{State: st}); !ds.HasErrors() {
			env = again
		}
	}
	interactive := false
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		interactive = true
	}
	code := ExitOK
	sc := bufio.NewScanner(m.Stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for {
		if interactive {
			v.ConsolePrompt()
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line == "exit" {
			break
		}
		val, ds := env.Console(line)
		if ds.HasErrors() {
			files := map[string]*hcl.File{config.ConsoleFile: {Bytes: []byte(line)}}
			v.Diagnostics(ds, files)
			code = ExitError
			continue
		}
		v.ConsoleValue(consoleValue(val))
	}
	if interactive {
		v.ConsoleEnd()
	}
	return code
}

// consoleValue renders a value as Terraform's console does: HCL, with
// what is not known yet or is sensitive said in words.
func consoleValue(val cty.Value) string {
	if val.IsMarked() || val.ContainsMarked() {
		return "(sensitive value)"
	}
	if !val.IsWhollyKnown() {
		return "(known after apply)"
	}
	if val.IsNull() {
		return "null"
	}
	return strings.TrimSpace(string(hclwrite.TokensForValue(val).Bytes()))
}
