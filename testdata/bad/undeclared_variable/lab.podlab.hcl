variable "target" {
  default = "local"
}

lab {
  cluster = var.trget
}

cluster "local" {
  kubeconfig {}
}
