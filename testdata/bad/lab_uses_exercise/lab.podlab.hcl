lab {
  name = exercise.web.namespace
}

cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = []
}
