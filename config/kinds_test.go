package config_test

// The language knows no kind of cluster block by itself: the providers
// register theirs. Importing them here registers the real gke, kubeadm and
// kubeconfig blocks for every test of this package.
import _ "github.com/podlab/podlab/providers/factory"
