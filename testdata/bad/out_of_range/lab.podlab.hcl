lab {
  max_nodes = -3
  ttl       = "0s"
}

cluster "local" {
  kubeconfig {}
}

exercise "api" {
  manifests = []
}
