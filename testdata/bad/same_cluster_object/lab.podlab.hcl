cluster "local" {
  kubeconfig {}
}

exercise "one" {
  manifests = [file("role.yaml")]
}

exercise "two" {
  manifests = [file("role.yaml")]
}
