package kubeapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// ProxyGet sends GET path to a pod's port through the API server's pod
// proxy (what kubectl get --raw .../proxy/ does) and returns the status
// and body the pod answered.
func (c *Client) ProxyGet(ctx context.Context, namespace, pod, scheme string, port int, path string) (int, string, error) {
	name := fmt.Sprintf("%s:%d", pod, port)
	if scheme == "https" {
		name = "https:" + name
	}
	res := c.Clientset.CoreV1().RESTClient().Get().
		Namespace(namespace).Resource("pods").Name(name).SubResource("proxy").
		Suffix(strings.TrimPrefix(path, "/")).
		Do(ctx)
	var code int
	res.StatusCode(&code)
	body, err := res.Raw()
	if err != nil && code == 0 {
		return 0, "", err
	}
	// A non-2xx answer is still the pod's answer (or the proxy's, when it
	// cannot reach the pod); the caller compares it with what it expects.
	if code == 0 {
		code = http.StatusOK
	}
	return code, string(body), nil
}
