cluster "local" {
  kubeconfig {}
}

exercise "api" {
  manifests = []

  check "pods" {
    timeout = "5 minutes"
    api_resources {
      resource = "pods"
    }
  }
}
