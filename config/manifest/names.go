package manifest

import "k8s.io/apimachinery/pkg/util/validation"

// nameErrors checks a name by the DNS subdomain rule, the loosest rule any
// kind uses; the API server applies the stricter rule of each kind.
func nameErrors(name string) []string {
	return validation.IsDNS1123Subdomain(name)
}
