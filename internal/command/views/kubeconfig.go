package views

import (
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// What podlab kubeconfig prints. A kubeconfig on standard output is data
// for kubectl and never colored; what it says about files written goes to
// the error stream, so that "podlab kubeconfig > file" holds only the
// kubeconfig.

// Kubeconfig writes a kubeconfig (YAML, as clientcmd writes it) to Out;
// with -json as one line of JSON, which kubectl reads as well.
func (v *View) Kubeconfig(doc []byte) error {
	if v.JSON {
		b, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return err
		}
		v.Data(append(b, '\n'))
		return nil
	}
	v.Data(doc)
	return nil
}

// KubeconfigWritten says a kubeconfig for seat ("" for the environment)
// was written to path, with these contexts.
func (v *View) KubeconfigWritten(seat, path string, contexts []string) {
	who := "the environment"
	if seat != "" {
		who = fmt.Sprintf("seat %q", seat)
	}
	msg := "Wrote a kubeconfig for " + who + " to " + path + " (contexts: " + strings.Join(contexts, ", ") + ")."
	if v.JSON {
		v.Event("kubeconfig_written", map[string]any{"@message": msg, "seat": seat, "path": path, "contexts": contexts})
		return
	}
	v.errPrintf("%s\n", msg)
}

// TokenLifetime says how long the seats' tokens are valid.
func (v *View) TokenLifetime(d time.Duration) {
	v.Notef("Each token is valid for %s.\n", d.Round(time.Minute))
}
