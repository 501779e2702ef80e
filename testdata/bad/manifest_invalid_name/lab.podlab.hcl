cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [{
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata = {
      name = "Web_Config"
    }
    data = {
      greeting = "hello"
    }
  }]
}
