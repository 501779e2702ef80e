cluster "local" {
  kubeconfig {}
}

exercize "web" {
  manifests = []
}
