cluster "local" {
  kubeconfig {}
}

exercise "api" {
  manifests = []

  check "pods" {
    api_resources {
      resource = "pods"
    }
    ready {
      pod = "web"
    }
  }
}
