package check

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"al.essio.dev/pkg/shellescape"

	"github.com/podlab/podlab/config"
)

// exec runs the check's command in its container and compares exit code,
// stdout and stderr with what is expected.
func (r *Runner) exec(ctx context.Context, c *config.Check) (outcome, error) {
	x, ns := c.Exec, c.Instance.Namespace
	expected := describeExec(x)
	pod, wait, err := r.targetPod(ctx, ns, x.Pod, x.Selector)
	if err != nil || wait != nil {
		return orWait(wait), err
	}
	container := x.Container
	if container == "" {
		container = pod.Spec.Containers[0].Name
	}
	try := fmt.Sprintf("kubectl exec -n %s %s -c %s -- %s", ns, pod.Name, container, shellescape.QuoteCommand(x.Command))
	res, err := r.Client.Exec(ctx, ns, pod.Name, container, x.Command, nil)
	if err != nil {
		o := outcome{expected: expected, seen: "the command could not run: " + errText(err), try: try}
		o.final = notRunnable(err)
		return o, nil
	}
	seen := fmt.Sprintf("exit code %d; stdout %s", res.ExitCode, snippet(res.Stdout))
	if strings.TrimSpace(res.Stderr) != "" {
		seen += "; stderr " + snippet(res.Stderr)
	}
	pass := res.ExitCode == x.ExpectExitCode &&
		strings.Contains(res.Stdout, x.ExpectStdout) && matches(x.StdoutMatches, res.Stdout) &&
		strings.Contains(res.Stderr, x.ExpectStderr) && matches(x.StderrMatches, res.Stderr)
	return outcome{pass: pass, expected: expected, seen: seen, try: try}, nil
}

func describeExec(x *config.ExecCheck) string {
	parts := []string{fmt.Sprintf("exit code %d", x.ExpectExitCode)}
	if x.ExpectStdout != "" {
		parts = append(parts, "stdout contains "+quote(x.ExpectStdout))
	}
	if x.StdoutMatches != "" {
		parts = append(parts, "stdout matches /"+x.StdoutMatches+"/")
	}
	if x.ExpectStderr != "" {
		parts = append(parts, "stderr contains "+quote(x.ExpectStderr))
	}
	if x.StderrMatches != "" {
		parts = append(parts, "stderr matches /"+x.StderrMatches+"/")
	}
	return strings.Join(parts, ", ")
}

func matches(re, s string) bool {
	if re == "" {
		return true
	}
	ok, err := regexp.MatchString(re, s)
	return err == nil && ok
}

// notRunnable: the container has no such program, or no such container;
// trying again changes nothing.
func notRunnable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "executable file not found") || strings.Contains(s, "no such file or directory") ||
		strings.Contains(s, "container not found") || strings.Contains(s, "is not valid for pod")
}

func orWait(w *outcome) outcome {
	if w == nil {
		return outcome{}
	}
	return *w
}
