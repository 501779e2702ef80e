package kubeapi

import (
	"context"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// maxLogBytes bounds how much of a log a check reads: enough for any
// lesson, small enough for a chatty container.
const maxLogBytes = 4 << 20

// Logs reads a container's log, as kubectl logs does: since a time when
// given, or the previous (crashed) container's with previous.
func (c *Client) Logs(ctx context.Context, namespace, pod, container string, since time.Time, previous bool) (string, error) {
	limit := int64(maxLogBytes)
	opts := &corev1.PodLogOptions{Container: container, Previous: previous, LimitBytes: &limit}
	if !since.IsZero() {
		t := metav1.NewTime(since)
		opts.SinceTime = &t
	}
	rc, err := c.Clientset.CoreV1().Pods(namespace).GetLogs(pod, opts).Stream(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLogBytes))
	return string(b), err
}
