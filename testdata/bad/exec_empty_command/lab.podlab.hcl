cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("pod.yaml")]

  check "shell" {
    exec {
      pod       = "my-nginx-pod"
      container = "sidecar"
      command   = []
      stdout_matches = "(unclosed"
    }
  }
}
