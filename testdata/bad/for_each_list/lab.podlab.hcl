cluster "local" {
  kubeconfig {}
}

exercise "web" {
  for_each  = ["a", "b"]
  manifests = []
}
