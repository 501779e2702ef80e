// Command podlab builds, checks and tears down Kubernetes class environments.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "podlab: not built yet")
	os.Exit(1)
}
