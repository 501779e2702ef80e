variable "target" {
  type        = string
  default     = "kubeconfig"
  description = "Which environment to build: gke, onprem or kubeconfig."

  validation {
    condition     = contains(["gke", "onprem", "kubeconfig"], var.target)
    error_message = "target must be gke, onprem or kubeconfig."
  }
}

variable "class" {
  type        = string
  default     = "pods"
  description = "Names the class's cluster (podlab-CLASS on GKE)."

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,32}$", var.class))
    error_message = "class must be lower-case letters, digits and dashes, starting with a letter (at most 33)."
  }
}

variable "students" {
  type        = list(string)
  default     = null
  description = "Seat names for a class (one isolated copy per student); null for one environment."
}

variable "ttl" {
  type        = string
  default     = null
  description = "How long the class runs, such as \"4h\"; podlab destroy -expired removes it afterwards. null: no limit."
}

variable "max_nodes" {
  type        = number
  default     = null
  description = "The most GKE nodes a class may run; apply refuses more unless -allow-over-cap."
}

variable "project" {
  type        = string
  default     = "podlab-class"
  description = "The Google Cloud project for target=gke."
}

variable "gke_location" {
  type        = string
  default     = "asia-northeast3-a"
  description = "The GKE zone (or region) for target=gke."
}

variable "onprem_control_plane" {
  type        = list(string)
  default     = ["10.0.0.10"]
  description = "The control-plane VM(s) for target=onprem."
}

variable "onprem_workers" {
  type        = list(string)
  default     = ["10.0.0.11", "10.0.0.12"]
  description = "The worker VMs for target=onprem."
}

variable "onprem_ssh_user" {
  type    = string
  default = "ubuntu"
}

variable "onprem_ssh_key" {
  type        = string
  default     = "~/.ssh/id_ed25519"
  description = "The SSH key podlab logs in to the VMs with (empty: the SSH agent)."
}

variable "onprem_known_hosts" {
  type        = string
  default     = "~/.ssh/known_hosts"
  description = "The known_hosts file holding the VMs' host keys."
}

variable "onprem_bastion" {
  type        = string
  default     = null
  description = "A jump host for VMs reachable only through it (null: none)."
}

variable "onprem_cni_manifest" {
  type        = string
  default     = ""
  description = "A local CNI manifest (such as kube-flannel.yml) applied after kubeadm init; class VMs may be offline."
}

variable "onprem_bundle" {
  type        = string
  default     = ""
  description = "An offline bundle directory (podlab bundle DIR) to install Kubernetes from on offline VMs; empty: the VMs have it installed."
}

variable "onprem_kubeadm_extra_config" {
  type        = string
  default     = ""
  description = "YAML documents added to kubeadm's configuration for target=onprem (a KubeletConfiguration, a KubeProxyConfiguration)."
}

variable "onprem_ignore_preflight_errors" {
  type        = list(string)
  default     = []
  description = "kubeadm preflight checks to skip on the VMs for target=onprem."
}

variable "kubeconfig" {
  type        = string
  default     = ""
  description = "The kubeconfig for target=kubeconfig; empty means $KUBECONFIG or ~/.kube/config."
}

variable "kube_context" {
  type        = string
  default     = ""
  description = "The kubeconfig context for target=kubeconfig; empty means its current context."
}
