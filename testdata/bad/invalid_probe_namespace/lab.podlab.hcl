lab {
  name            = "probes"
  probe_namespace = "Class_Tools"
}

cluster "kubeconfig" {
  kubeconfig {}
}
