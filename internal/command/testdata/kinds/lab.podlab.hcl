cluster "local" {
  kubeconfig {}
}

exercise "web" {
  manifests = [file("k8s_yaml/objects.yaml")]
}
