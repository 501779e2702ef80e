variable "students" {
  type    = number
  default = "many"
}

cluster "local" {
  kubeconfig {
    paht = "~/.kube/config"
  }
}

output "ns" {
  value = local.namespace
}
