variable "class" {
  type     = string
  default  = null
  nullable = false
}

cluster "local" {
  kubeconfig {}
}
