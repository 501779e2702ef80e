package testcluster_test

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/remotecommand"
	watchtools "k8s.io/client-go/tools/watch"
	utilexec "k8s.io/client-go/util/exec"

	"github.com/podlab/podlab/internal/testcluster"
)

// The course's sidecar pod, exactly as the lesson ships it.
//
//go:embed testdata/nginx-pod-with-ubuntu.yaml
var sidecarManifest []byte

const (
	nginxContainer   = "my-nginx-container"
	sidecarContainer = "ubuntu-sidecar-container"
	welcome          = "Welcome to nginx!"
)

// TestSmokeSidecarPod walks the course's sidecar exercise on the real
// cluster: the pod runs 2/2, nginx answers on the pod IP from the host and on
// localhost from the sidecar, and its access log shows the requests.
func TestSmokeSidecarPod(t *testing.T) {
	c := testcluster.Get(t)
	cs := c.Clientset(t)
	ns := c.Namespace(t, "smoke")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	pod := decodePod(t, sidecarManifest)
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod %s/%s: %v", ns, pod.Name, err)
	}
	start := time.Now()
	running, err := waitPodReady(ctx, cs, ns, pod.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pod %s/%s Ready %d/%d in %s, IP %s", ns, pod.Name, readyContainers(running), len(running.Spec.Containers),
		time.Since(start).Round(time.Millisecond), running.Status.PodIP)
	if got := readyContainers(running); got != 2 {
		t.Fatalf("ready containers = %d, want 2/2", got)
	}
	// nginx:latest defaults to pull policy Always: the image really came
	// through the registry that containerd mirrors docker.io to.
	for _, st := range running.Status.ContainerStatuses {
		if st.Name == nginxContainer && !strings.HasPrefix(st.ImageID, "docker.io/library/nginx@sha256:") {
			t.Errorf("nginx image ID %q, want one pulled as docker.io/library/nginx", st.ImageID)
		}
	}

	agent := "podlab-smoke/" + ns
	t.Run("curl pod IP from the host", func(t *testing.T) {
		body, err := httpGet(ctx, "http://"+running.Status.PodIP+"/", agent, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, welcome) {
			t.Fatalf("GET / on the pod IP returned no %q:\n%s", welcome, body)
		}
		// Control: a port nothing listens on must fail, or the check above
		// could pass without reaching this pod's nginx.
		if body, err := httpGet(ctx, "http://"+running.Status.PodIP+":81/", agent, 0); err == nil {
			t.Fatalf("GET on port 81 answered, want connection refused:\n%s", body)
		}
	})

	t.Run("exec curl localhost in the sidecar", func(t *testing.T) {
		cfg := c.RESTConfig()
		stdout, stderr, err := execInPod(ctx, cfg, cs, ns, pod.Name, sidecarContainer, "curl", "-s", "localhost")
		if err != nil {
			t.Fatalf("exec curl -s localhost in %s: %v (stderr %q)", sidecarContainer, err, stderr)
		}
		if !strings.Contains(stdout, welcome) {
			t.Fatalf("curl -s localhost in %s printed no %q:\n%s", sidecarContainer, welcome, stdout)
		}
		// Both images carry curl; the sidecar is the one whose PID 1 is tail,
		// so nginx answered across containers through the shared network.
		cmdline, _, err := execInPod(ctx, cfg, cs, ns, pod.Name, sidecarContainer, "cat", "/proc/1/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ReplaceAll(cmdline, "\x00", " "); !strings.HasPrefix(got, "tail -f /dev/null") {
			t.Fatalf("exec did not land in %s: its PID 1 is %q", sidecarContainer, got)
		}
		// Controls: exit codes come back, and a wrong container is an error.
		_, _, err = execInPod(ctx, cfg, cs, ns, pod.Name, sidecarContainer, "curl", "-s", "localhost:81")
		var exitErr utilexec.CodeExitError
		if !errors.As(err, &exitErr) || exitErr.Code != 7 {
			t.Fatalf("curl to a closed port: err %v, want exit code 7", err)
		}
		if _, _, err := execInPod(ctx, cfg, cs, ns, pod.Name, "no-such-container", "true"); err == nil {
			t.Fatal("exec in a container the pod lacks succeeded")
		}
	})

	t.Run("nginx log shows the GET", func(t *testing.T) {
		line, err := waitLogLine(ctx, cs, ns, pod.Name, nginxContainer, func(l string) bool {
			return strings.Contains(l, "GET / ") && strings.Contains(l, agent)
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s log: %s", nginxContainer, line)
		if _, err := waitLogLine(ctx, cs, ns, pod.Name, nginxContainer, func(l string) bool {
			return strings.Contains(l, "GET / ") && strings.Contains(l, "curl/")
		}); err != nil {
			t.Fatalf("the sidecar's curl is missing from the access log: %v", err)
		}
		// Control: the sidecar runs tail, so its log has no request lines.
		raw, err := cs.CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{Container: sidecarContainer}).DoRaw(ctx)
		if err != nil {
			t.Fatalf("logs of %s: %v", sidecarContainer, err)
		}
		if strings.Contains(string(raw), "GET /") {
			t.Fatalf("%s log unexpectedly holds a request line:\n%s", sidecarContainer, raw)
		}
	})
}

func decodePod(t *testing.T, manifest []byte) *corev1.Pod {
	t.Helper()
	obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(manifest, nil, nil)
	if err != nil {
		t.Fatalf("decode manifest: %v", err)
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		t.Fatalf("manifest holds a %T, want a Pod", obj)
	}
	if len(pod.Spec.Containers) != 2 || pod.Spec.Containers[0].Name != nginxContainer || pod.Spec.Containers[1].Name != sidecarContainer {
		t.Fatalf("manifest is not the course's sidecar pod: %+v", pod.Spec.Containers)
	}
	return pod
}

func readyContainers(pod *corev1.Pod) int {
	n := 0
	for _, st := range pod.Status.ContainerStatuses {
		if st.Ready {
			n++
		}
	}
	return n
}

// waitPodReady watches the pod until it is Ready with every container ready,
// and gives up early on states that never heal by themselves.
func waitPodReady(ctx context.Context, cs kubernetes.Interface, ns, name string) (*corev1.Pod, error) {
	lw := cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "pods", ns,
		fields.OneTermEqualSelector("metadata.name", name))
	ev, err := watchtools.UntilWithSync(ctx, lw, &corev1.Pod{}, nil, func(ev watch.Event) (bool, error) {
		if ev.Type == watch.Deleted {
			return false, fmt.Errorf("pod %s/%s was deleted", ns, name)
		}
		pod, ok := ev.Object.(*corev1.Pod)
		if !ok {
			return false, nil
		}
		if pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded {
			return false, fmt.Errorf("pod %s/%s ended: %s %s", ns, name, pod.Status.Phase, pod.Status.Message)
		}
		for _, st := range pod.Status.ContainerStatuses {
			if w := st.State.Waiting; w != nil {
				switch w.Reason {
				case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff",
					"CreateContainerError", "CreateContainerConfigError":
					return false, fmt.Errorf("pod %s/%s container %s: %s: %s", ns, name, st.Name, w.Reason, w.Message)
				}
			}
		}
		if readyContainers(pod) != len(pod.Spec.Containers) {
			return false, nil
		}
		for _, cond := range pod.Status.Conditions {
			if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for pod %s/%s to be Ready: %w", ns, name, err)
	}
	return ev.Object.(*corev1.Pod), nil
}

// httpGet fetches url from this process, i.e. from the node's network. A
// failed connection is retried for up to retry: a container can be Ready a
// moment before nginx listens, as the manifest has no readiness probe.
func httpGet(ctx context.Context, url, agent string, retry time.Duration) (string, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(retry)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return "", fmt.Errorf("GET %s: %w", url, err)
		}
		req.Header.Set("User-Agent", agent)
		resp, err := client.Do(req)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr != nil {
				return "", fmt.Errorf("GET %s: read body: %w", url, rerr)
			}
			if resp.StatusCode != http.StatusOK {
				return string(body), fmt.Errorf("GET %s: %s", url, resp.Status)
			}
			return string(body), nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("GET %s: %w", url, err)
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("GET %s: %w", url, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// execInPod runs command in a container through the API server, over
// WebSocket and, where a proxy or old server refuses the upgrade, SPDY.
func execInPod(ctx context.Context, cfg *rest.Config, cs kubernetes.Interface, ns, pod, container string, command ...string) (stdout, stderr string, err error) {
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container,
			Command:   command,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)
	ws, err := remotecommand.NewWebSocketExecutor(cfg, http.MethodGet, req.URL().String())
	if err != nil {
		return "", "", fmt.Errorf("websocket executor: %w", err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(cfg, http.MethodPost, req.URL())
	if err != nil {
		return "", "", fmt.Errorf("spdy executor: %w", err)
	}
	exec, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return "", "", fmt.Errorf("fallback executor: %w", err)
	}
	var out, errOut bytes.Buffer
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &out, Stderr: &errOut})
	if err != nil {
		err = fmt.Errorf("exec %q in %s/%s[%s]: %w", command, ns, pod, container, err)
	}
	return out.String(), errOut.String(), err
}

// waitLogLine follows a container's log until a line matches.
func waitLogLine(ctx context.Context, cs kubernetes.Interface, ns, pod, container string, match func(string) bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stream, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container, Follow: true}).Stream(ctx)
	if err != nil {
		return "", fmt.Errorf("follow logs of %s/%s[%s]: %w", ns, pod, container, err)
	}
	defer stream.Close()
	var seen []string
	sc := bufio.NewScanner(stream)
	for sc.Scan() {
		if match(sc.Text()) {
			return sc.Text(), nil
		}
		seen = append(seen, sc.Text())
	}
	return "", fmt.Errorf("no matching line in the log of %s/%s[%s] (%v); saw:\n%s",
		ns, pod, container, sc.Err(), strings.Join(seen, "\n"))
}
