cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("pod.yaml")]

  check "shell works" {
    exec {
      pod       = "my-nginx-pod"
      container = "sidecr"
      command   = ["true"]
    }
  }
}
