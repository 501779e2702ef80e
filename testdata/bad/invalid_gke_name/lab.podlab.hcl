cluster "gke" {
  gke {
    project  = "podlab-class"
    location = "asia-northeast3-a"
    name     = "Podlab_Class"
    node_pool "default" {}
  }
}
