cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("list.yaml")]
}
