variable "target" {
  type    = string
  default = "kubeconfig"

  validation {
    condition     = contains(["gke", "kubeconfig"], var.target)
    error_message = "target must be gke or kubeconfig."
  }
}

lab {
  cluster = var.target
}

cluster "gke" {
  gke {
    project  = "podlab-class"
    location = "asia-northeast3-a"
    name     = "podlab-pods"
    node_pool "default" {}
  }
}

cluster "kubeconfig" {
  kubeconfig {}
}
