cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("pod.yaml")]

  check "answers" {
    http {
      pod  = "my-nginx-pod"
      port = 80
      from = "nodes"
    }
  }
}
