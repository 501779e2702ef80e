cluster "local" {
  kubeconfig {}
}

exercise "api" {
  manifests = []

  check "pods" {
    timeout  = "-5s"
    interval = "0s"
    api_resources {
      resource = "pods"
    }
  }
}
