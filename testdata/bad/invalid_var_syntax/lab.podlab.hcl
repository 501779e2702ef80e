variable "target" {
  default = "local"
}

cluster "local" {
  kubeconfig {}
}
