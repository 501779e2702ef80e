cluster "local" {
  kubeconfig {}
}

exercise "web" {
  count     = -1
  manifests = []
}
