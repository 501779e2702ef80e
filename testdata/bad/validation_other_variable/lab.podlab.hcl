variable "target" {
  default = "local"
}

variable "class" {
  default = "pods"

  validation {
    condition     = var.target != "gke" || length(var.class) < 20
    error_message = "class is too long for a GKE cluster name."
  }
}

cluster "local" {
  kubeconfig {}
}
