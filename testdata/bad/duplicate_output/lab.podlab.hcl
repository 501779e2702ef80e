cluster "local" {
  kubeconfig {}
}

output "ns" {
  value = "a"
}

output "ns" {
  value = "b"
}
