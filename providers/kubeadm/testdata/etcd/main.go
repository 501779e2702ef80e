// Command etcd is etcd v3.6's server, built from its Go module for the
// real kubeadm test (kubeadm 1.34 writes flags only etcd 3.6 knows, and
// Debian ships 3.4). The go tool ignores testdata, so this is built in a
// module of its own.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
