cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("pod.yaml")]

  check "log" {
    logs {
      pod       = "my-nginx-pod"
      container = "my-nginx-container"
    }
  }
}
