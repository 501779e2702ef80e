cluster "onprem" {
  kubeadm {
    control_plane = ["10.0.0.10:99999"]
    workers       = ["worker_1"]
    ssh {
      user = "ubuntu"
    }
  }
}
