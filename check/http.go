package check

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"al.essio.dev/pkg/shellescape"

	"github.com/podlab/podlab/config"
)

// http sends GET to the target pod's port from where the check says:
// through the API server's pod proxy, from a container of a pod (curl or
// wget in it), or from the node's own network through a hostNetwork probe
// pod on the target pod's node, as the notes curl the pod IP from the VM.
func (r *Runner) http(ctx context.Context, c *config.Check) (outcome, error) {
	h, ns := c.HTTP, c.Instance.Namespace
	expected := describeHTTP(h)
	pod, wait, err := r.targetPod(ctx, ns, h.Pod, h.Selector)
	if err != nil || wait != nil {
		return orWait(wait), err
	}
	url := fmt.Sprintf("%s://%s%s", h.Scheme, net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(h.Port)), h.Path)
	var status int
	var body, try string
	switch h.From {
	case config.FromAPIServer:
		try = fmt.Sprintf("kubectl get --raw /api/v1/namespaces/%s/pods/%s:%d/proxy%s", ns, pod.Name, h.Port, h.Path)
		status, body, err = r.Client.ProxyGet(ctx, ns, pod.Name, h.Scheme, h.Port, h.Path)
		if err != nil {
			return outcome{expected: expected, seen: "the API server's proxy failed: " + errText(err), try: try}, nil
		}
	case config.FromPod:
		from, container := h.FromPod, h.FromContainer
		if from == "" {
			from = pod.Name
		}
		fromPod, wait, err := r.targetPod(ctx, ns, from, "")
		if err != nil || wait != nil {
			return orWait(wait), err
		}
		if container == "" {
			container = fromPod.Spec.Containers[0].Name
		}
		try = fmt.Sprintf("kubectl exec -n %s %s -c %s -- curl -s %s", ns, from, container, url)
		var o *outcome
		status, body, o = r.fetchIn(ctx, ns, from, container, url, expected, try)
		if o != nil {
			return *o, nil
		}
	case config.FromNode:
		node := pod.Spec.NodeName
		try = fmt.Sprintf("curl -s %s   # on the node %s (a VM of the cluster)", url, node)
		probeNS, probe, o := r.probes.on(ctx, ns, node)
		if o != nil {
			o.expected = expected
			return *o, nil
		}
		status, body, o = r.fetchIn(ctx, probeNS, probe, probeContainer, url, expected, try)
		if o != nil {
			return *o, nil
		}
	}
	seen := fmt.Sprintf("status %d, body %s", status, snippet(body))
	pass := status == h.ExpectStatus && strings.Contains(body, h.ExpectBody) && matches(h.BodyMatches, body)
	return outcome{pass: pass, expected: expected, seen: seen, try: try}, nil
}

func describeHTTP(h *config.HTTPCheck) string {
	s := fmt.Sprintf("GET %s on port %d from the %s answers %d", h.Path, h.Port, fromWord(h.From), h.ExpectStatus)
	if h.ExpectBody != "" {
		s += " with a body containing " + quote(h.ExpectBody)
	}
	if h.BodyMatches != "" {
		s += " matching /" + h.BodyMatches + "/"
	}
	return s
}

func fromWord(from string) string {
	switch from {
	case config.FromPod:
		return "pod"
	case config.FromNode:
		return "node"
	}
	return "API server's pod proxy"
}

const statusMarker = "\n__podlab_http_status__:"

// fetchIn runs curl (or, lacking curl, wget) in a container and returns
// the status and body; o is set when the request could not be made.
func (r *Runner) fetchIn(ctx context.Context, ns, pod, container, url, expected, try string) (int, string, *outcome) {
	curl := []string{"curl", "-s", "-S", "--max-time", "5", "-o", "-", "-w", statusMarker + "%{http_code}", url}
	res, err := r.Client.Exec(ctx, ns, pod, container, curl, nil)
	if err != nil && notRunnable(err) {
		// No curl in the image: wget -S prints the status line to stderr.
		wget := []string{"wget", "-q", "-S", "-T", "5", "-O", "-", url}
		res, err = r.Client.Exec(ctx, ns, pod, container, wget, nil)
		if err == nil {
			return wgetStatus(res.Stderr), res.Stdout, nil
		}
		if notRunnable(err) {
			return 0, "", &outcome{expected: expected, final: true, try: try,
				seen: fmt.Sprintf("container %s of pod %s has neither curl nor wget to send the request with (%s)", container, pod, shellescape.Quote(errText(err)))}
		}
	}
	if err != nil {
		return 0, "", &outcome{expected: expected, seen: "could not run curl: " + errText(err), try: try}
	}
	i := strings.LastIndex(res.Stdout, statusMarker)
	if i < 0 || res.ExitCode != 0 {
		return 0, "", &outcome{expected: expected, try: try,
			seen: fmt.Sprintf("curl exited %d: %s", res.ExitCode, strings.TrimSpace(res.Stderr+" "+res.Stdout))}
	}
	status, _ := strconv.Atoi(strings.TrimSpace(res.Stdout[i+len(statusMarker):]))
	return status, res.Stdout[:i], nil
}

func wgetStatus(stderr string) int {
	for _, line := range strings.Split(stderr, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.HasPrefix(f[0], "HTTP/") {
			if n, err := strconv.Atoi(f[1]); err == nil {
				return n
			}
		}
	}
	return 0
}
