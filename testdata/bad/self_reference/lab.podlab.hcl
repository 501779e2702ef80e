cluster "local" {
  kubeconfig {}
}

locals {
  prefix = "${local.prefix}-x"
}
