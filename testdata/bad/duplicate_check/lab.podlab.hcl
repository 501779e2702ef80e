cluster "local" {
  kubeconfig {}
}

exercise "api" {
  manifests = []

  check "pods" {
    api_resources {
      resource = "pods"
    }
  }

  check "pods" {
    api_resources {
      kind = "Pod"
    }
  }
}
