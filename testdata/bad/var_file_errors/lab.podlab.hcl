variable "students" {
  type    = list(string)
  default = []
}

cluster "local" {
  kubeconfig {}
}
