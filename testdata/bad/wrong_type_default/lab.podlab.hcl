variable "replicas" {
  type    = number
  default = "three"
}

cluster "local" {
  kubeconfig {}
}
