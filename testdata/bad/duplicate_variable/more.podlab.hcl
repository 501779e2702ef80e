variable "target" {
  default = "gke"
}
