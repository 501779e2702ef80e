cluster "local" {
  kubeconfig {}
}

exercise "web" {
  namespace = "web-${each.key}"
  manifests = []
}
