cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("pod.yaml")]

  check "running" {
    ready {
      pod = "my-ngnix-pod"
    }
  }
}
