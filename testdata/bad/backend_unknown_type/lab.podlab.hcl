backend "gsc" {
  bucket = "podlab-state"
}

cluster "local" {
  kubeconfig {}
}
