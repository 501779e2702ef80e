cluster "onprem" {
  kubeadm {
    control_plane    = ["10.0.0.10"]
    pod_network_cidr = "10.244.0.0/33"
    ssh {
      user = "ubuntu"
    }
  }
}
