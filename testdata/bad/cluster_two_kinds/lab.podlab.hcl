cluster "local" {
  kubeconfig {}
  kubeadm {
    control_plane = ["10.0.0.10"]
    ssh {}
  }
}
