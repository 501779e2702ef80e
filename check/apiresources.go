package check

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/kubeapi"
)

// apiResources asks discovery whether the cluster serves a resource (by
// name, kind, or both), as kubectl api-resources lists them.
func (r *Runner) apiResources(ctx context.Context, c *config.Check) (outcome, error) {
	a := c.APIResources
	var want []string
	if a.Resource != "" {
		want = append(want, a.Resource)
	}
	if a.Kind != "" {
		want = append(want, "kind "+a.Kind)
	}
	expected := fmt.Sprintf("the API serves %s in %s", strings.Join(want, ", "), a.APIVersion)
	group := ""
	if i := strings.Index(a.APIVersion, "/"); i > 0 {
		group = a.APIVersion[:i]
	}
	try := fmt.Sprintf("kubectl api-resources --api-group=%s", group)
	list, err := r.Client.Clientset.Discovery().ServerResourcesForGroupVersion(a.APIVersion)
	if kubeapi.IsNotFound(err) {
		return outcome{expected: expected, seen: fmt.Sprintf("the cluster does not serve the API %s", a.APIVersion), try: try, final: true}, nil
	}
	if err != nil {
		return outcome{}, err
	}
	var names []string
	for _, res := range list.APIResources {
		if strings.Contains(res.Name, "/") {
			continue // subresources
		}
		names = append(names, res.Name)
		if (a.Resource == "" || res.Name == a.Resource) && (a.Kind == "" || res.Kind == a.Kind) {
			return outcome{pass: true, expected: expected, seen: fmt.Sprintf("%s (kind %s, namespaced %v)", res.Name, res.Kind, res.Namespaced), try: try}, nil
		}
	}
	sort.Strings(names)
	seen := fmt.Sprintf("%s serves: %s", a.APIVersion, strings.Join(names, ", "))
	return outcome{expected: expected, seen: seen, try: try, final: true}, nil
}
