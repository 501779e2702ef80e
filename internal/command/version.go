package command

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/podlab/podlab/internal/command/arguments"
)

func runVersion(m *Meta, args []string) int {
	a, fs, err := arguments.ParseVersion(args)
	if err != nil {
		return parseError(m, "version", "version [-json]", fs, err)
	}
	if a.JSON {
		b, _ := json.Marshal(map[string]string{"podlab_version": m.Version, "go": runtime.Version(), "platform": runtime.GOOS + "_" + runtime.GOARCH})
		fmt.Fprintln(m.Stdout, string(b))
		return ExitOK
	}
	fmt.Fprintf(m.Stdout, "podlab %s\non %s_%s, built with %s\n", m.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
	return ExitOK
}
