# The three environments of the lesson. -var target=NAME chooses one; each
# keeps its own state, so the GKE and on-prem classes live side by side.

cluster "gke" {
  gke {
    project         = var.project
    location        = var.gke_location
    name            = "podlab-${var.class}"
    release_channel = "REGULAR"
    labels = {
      course = "k8s-pods"
    }

    node_pool "default" {
      machine_type = "e2-medium"
      node_count   = 2
    }
  }
}

cluster "onprem" {
  kubeadm {
    control_plane    = var.onprem_control_plane
    workers          = var.onprem_workers
    pod_network_cidr = "10.244.0.0/16"
    cni_manifest     = var.onprem_cni_manifest
    bundle           = var.onprem_bundle

    kubeadm_extra_config    = var.onprem_kubeadm_extra_config
    ignore_preflight_errors = var.onprem_ignore_preflight_errors

    ssh {
      user             = var.onprem_ssh_user
      private_key_file = var.onprem_ssh_key
      known_hosts_file = var.onprem_known_hosts
      # VMs reachable only through a jump host: -var onprem_bastion=HOST
      dynamic "bastion" {
        for_each = var.onprem_bastion == null ? [] : [var.onprem_bastion]
        content {
          host = bastion.value
        }
      }
    }
  }
}

cluster "kubeconfig" {
  kubeconfig {
    path    = var.kubeconfig
    context = var.kube_context
  }
}
