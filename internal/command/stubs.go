package command

import "fmt"

func notYet(m *Meta, name, issue string) int {
	fmt.Fprintf(m.Stderr, "Error: podlab %s is not built yet: it arrives with %s.\n", name, issue)
	return ExitError
}

func runKubeconfig(m *Meta, args []string) int {
	return notYet(m, "kubeconfig", "the class issue (#8)")
}
func runStatus(m *Meta, args []string) int { return notYet(m, "status", "the class issue (#8)") }

func (m *Meta) destroyExpired(a any) int {
	return notYet(m, "destroy -expired", "the class issue (#8)")
}
