package views

// WorkspaceCurrent shows the current workspace's name.
func (v *View) WorkspaceCurrent(name string) {
	v.Printf("%s\n", name)
}

// WorkspaceList lists the workspaces, the current one marked with a star.
func (v *View) WorkspaceList(known []string, current string) {
	for _, ws := range known {
		mark := "  "
		if ws == current {
			mark = "* "
		}
		v.Printf("%s%s\n", mark, ws)
	}
}
