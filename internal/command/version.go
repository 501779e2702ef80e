package command

import (
	"runtime"

	"github.com/podlab/podlab/internal/command/arguments"
)

func runVersion(m *Meta, args []string) int {
	a, fs, err := arguments.ParseVersion(args)
	if err != nil {
		return parseError(m, "version", "version [-json]", fs, err)
	}
	m.view(a.View).Version(m.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
	return ExitOK
}
