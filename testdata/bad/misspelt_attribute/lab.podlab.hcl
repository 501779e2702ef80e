cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifest = [file("pod.yaml")]
}
