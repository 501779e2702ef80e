cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("pods.yaml")]
}
