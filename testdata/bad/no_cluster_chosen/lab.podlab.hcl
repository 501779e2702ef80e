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
