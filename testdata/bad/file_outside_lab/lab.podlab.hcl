cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("/etc/passwd")]
}
