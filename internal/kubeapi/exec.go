package kubeapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/util/exec"
)

// ExecResult is what a command run in a container printed and returned.
type ExecResult struct {
	Stdout   string
	Stderr   string
	ExitCode int
}

// Exec runs a command in a container through the API server, as kubectl
// exec does: over WebSocket, falling back to SPDY for servers without it.
// A command that runs and exits non-zero is a result, not an error; an
// error means the command could not be run at all.
func (c *Client) Exec(ctx context.Context, namespace, pod, container string, command []string, stdin io.Reader) (*ExecResult, error) {
	req := c.Clientset.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container,
			Command:   command,
			Stdin:     stdin != nil,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)
	ws, err := remotecommand.NewWebSocketExecutor(c.REST, http.MethodGet, req.URL().String())
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(c.REST, http.MethodPost, req.URL())
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	// kubectl's own rule for when SPDY is worth a try.
	executor, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	var stdout, stderr bytes.Buffer
	err = executor.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: stdin, Stdout: &stdout, Stderr: &stderr})
	res := &ExecResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var ce exec.CodeExitError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &ce):
		res.ExitCode = ce.Code
		return res, nil
	}
	return res, err
}
