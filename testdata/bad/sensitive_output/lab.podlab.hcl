variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}

cluster "local" {
  kubeconfig {}
}

output "token" {
  value = var.token
}
