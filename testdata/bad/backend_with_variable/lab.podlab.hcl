variable "bucket" {
  default = "podlab-state"
}

backend "gcs" {
  bucket = var.bucket
}

cluster "local" {
  kubeconfig {}
}
