package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// createTimeout parses a create_timeout setting, which must be a positive
// duration: a zero or negative bound would fail every object at once.
// It returns 0 (after a diagnostic made by diag) when s is not one.
func (e *evaluator) createTimeout(s string, diag func(summary, detail string) *hcl.Diagnostic) time.Duration {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		e.diags = append(e.diags, diag("Invalid duration",
			fmt.Sprintf("create_timeout = %q is not a duration; write it as \"90s\", \"5m\" or \"1h\".", s)))
		return 0
	case d <= 0:
		e.diags = append(e.diags, diag("Invalid create_timeout",
			fmt.Sprintf("create_timeout = %q must be positive: it bounds how long apply waits for each object to be ready, such as \"2m\".", s)))
		return 0
	}
	return d
}
