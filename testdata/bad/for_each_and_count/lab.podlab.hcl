cluster "local" {
  kubeconfig {}
}

exercise "web" {
  for_each  = toset(["a", "b"])
  count     = 2
  manifests = []
}
