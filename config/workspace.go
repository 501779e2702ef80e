package config

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxWorkspace is the longest workspace name. A workspace's name goes into
// every namespace (PREFIX-WORKSPACE-SEAT-EXERCISE, 63 characters at most)
// and into a GKE cluster's name (40 at most), so it is kept short enough
// to leave room for the rest.
const MaxWorkspace = 20

var workspaceRe = regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)

// ValidateWorkspace refuses a workspace name that could not be used as it
// is inside namespace and cluster names. Accepting only names that are
// their own slug means two workspaces never share a namespace: "Fall 2025"
// and "fall-2025" would otherwise both become "fall-2025". "" and
// "default" are the default workspace.
func ValidateWorkspace(name string) error {
	if name == "" || name == "default" {
		return nil
	}
	if len(name) <= MaxWorkspace && workspaceRe.MatchString(name) && !strings.Contains(name, "--") {
		return nil
	}
	msg := fmt.Sprintf("workspace %q cannot be used: a workspace name is lowercase letters (a-z), digits and single '-', "+
		"starting with a letter and ending with a letter or digit, at most %d characters, since it becomes part of namespace and cluster names",
		name, MaxWorkspace)
	if s := Slug(name); s != "" && s != name && len(s) <= MaxWorkspace && s[0] >= 'a' && s[0] <= 'z' {
		msg += fmt.Sprintf("; such as %q", s)
	}
	return fmt.Errorf("%s", msg)
}

// EnvName is the name of the environment of a cluster block in a
// workspace: the block's name, then "@WORKSPACE" outside the default one.
func EnvName(cluster, workspace string) string {
	if workspace == "" || workspace == "default" {
		return cluster
	}
	return cluster + "@" + workspace
}

// SplitEnvName is EnvName undone: the cluster block and the workspace
// ("default" for none) of an environment's name.
func SplitEnvName(env string) (cluster, workspace string) {
	cluster, workspace, ok := strings.Cut(env, "@")
	if !ok {
		workspace = "default"
	}
	return cluster, workspace
}
