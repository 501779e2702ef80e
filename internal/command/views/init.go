package views

// ExampleWritten says init -example wrote a bundled lab's files into dir
// (named for a sentence).
func (v *View) ExampleWritten(example, dir string, files []string) {
	v.Printf("Wrote the example lab %q into %s:\n", example, dir)
	for _, f := range files {
		v.Printf("  %s\n", f)
	}
}

// InitReady says the lab directory (named for a sentence) is ready, and
// what to run next.
func (v *View) InitReady(dir string) {
	v.Printf("\npodlab is ready in %s. Next:\n  podlab validate\n  podlab plan -var target=kubeconfig\n", dir)
}
