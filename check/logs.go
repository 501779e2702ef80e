package check

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/podlab/podlab/config"
)

// logs reads a container's log (only what it wrote since the check began,
// or the previous container's, when asked) and looks for a string or a
// pattern.
func (r *Runner) logs(ctx context.Context, c *config.Check, start time.Time) (outcome, error) {
	l, ns := c.Logs, c.Instance.Namespace
	var parts []string
	if l.Contains != "" {
		parts = append(parts, "contains "+quote(l.Contains))
	}
	if l.Matches != "" {
		parts = append(parts, "matches /"+l.Matches+"/")
	}
	expected := "the log " + strings.Join(parts, " and ")
	pod, wait, err := r.targetPod(ctx, ns, l.Pod, l.Selector)
	if err != nil || wait != nil {
		return orWait(wait), err
	}
	container := l.Container
	if container == "" {
		container = pod.Spec.Containers[0].Name
	}
	try := fmt.Sprintf("kubectl logs -n %s %s -c %s", ns, pod.Name, container)
	var since time.Time
	if l.SinceStart {
		since = start
		expected += " since the check began"
	}
	if l.Previous {
		try += " --previous"
		expected += " (previous container)"
	}
	text, err := r.Client.Logs(ctx, ns, pod.Name, container, since, l.Previous)
	if err != nil {
		return outcome{expected: expected, seen: "could not read the log: " + errText(err), try: try}, nil
	}
	pass := strings.Contains(text, l.Contains) && matches(l.Matches, text)
	seen := fmt.Sprintf("%d line(s), last: %s", lineCount(text), snippet(lastLines(text, 2)))
	if text == "" {
		seen = "an empty log"
	}
	return outcome{pass: pass, expected: expected, seen: seen, try: try}, nil
}

func lineCount(s string) int { return strings.Count(strings.TrimRight(s, "\n"), "\n") + 1 }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
