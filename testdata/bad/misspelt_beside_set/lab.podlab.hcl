cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = []
  manifestz = []
}
