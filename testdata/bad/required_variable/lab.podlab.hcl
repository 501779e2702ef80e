variable "target" {
  type    = string
  default = "kubeconfig"
}

variable "project" {
  type        = string
  description = "Only the gke environment needs it."
}

lab {
  cluster = var.target
}

cluster "gke" {
  gke {
    project  = var.project
    location = "asia-northeast3-a"
    name     = "podlab-pods"
    node_pool "default" {}
  }
}

cluster "kubeconfig" {
  kubeconfig {}
}
