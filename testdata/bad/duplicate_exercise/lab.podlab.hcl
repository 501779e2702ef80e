cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = []
}

exercise "web" {
  manifests = []
}
