variable "target" {
  default = "local"
}

lab {
  cluster = vars.target
}

cluster "local" {
  kubeconfig {}
}
