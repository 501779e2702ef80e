cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("pod.yaml")]
}
