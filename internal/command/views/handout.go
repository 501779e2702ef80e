package views

import "time"

// What podlab handout says of the folders it writes: on the error stream,
// as kubeconfig's messages.

// HandoutWritten says a seat's handout was written to dir: its kubeconfig
// and this many manifest files.
func (v *View) HandoutWritten(seat, dir string, manifests int) {
	v.Notef("Wrote the handout of seat %q to %s: kubeconfig and %d manifest file(s).\n", seat, dir, manifests)
}

// HandoutNext says what a student does with a handout (when the lab has
// student exercises) and how long its token is valid.
func (v *View) HandoutNext(students bool, lifetime time.Duration) {
	if !students {
		v.Notef("No exercise has mode = \"student\": the handouts hold only kubeconfigs.\n")
		return
	}
	v.Notef("A student runs: export KUBECONFIG=$PWD/kubeconfig; kubectl config use-context EXERCISE; kubectl apply -f EXERCISE/FILE.yaml\n")
	v.TokenLifetime(lifetime)
}
