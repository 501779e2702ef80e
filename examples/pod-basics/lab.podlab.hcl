# The "Using Pods" lesson as a podlab lab: the two pods of the course notes,
# with checks for every step the notes show, on GKE, on an on-prem kubeadm
# cluster, or on any cluster a kubeconfig reaches.
#
#   podlab plan -var target=gke
#   podlab apply -var target=kubeconfig
#   podlab check
#   podlab destroy

lab {
  name      = "pod-basics"
  cluster   = var.target
  seats     = var.students
  ttl       = var.ttl
  max_nodes = var.max_nodes
}

# Exercise 1: a pod with a single nginx container.
exercise "nginx_pod" {
  description = "A pod is the smallest unit of deployment: one pod, one nginx container."
  manifests   = [file("k8s_yaml/nginx-pod.yaml")]

  check "running" {
    description = "kubectl get pods shows my-nginx-pod 1/1 Running."
    ready {
      pod          = "my-nginx-pod"
      max_restarts = 0
    }
  }

  check "pod IP answers from a node" {
    description = "curl <pod IP> from a cluster node returns the nginx welcome page."
    http {
      pod         = "my-nginx-pod"
      port        = 80
      from        = "node"
      expect_body = "Welcome to nginx!"
    }
  }

  check "access log shows the request" {
    description = "kubectl logs my-nginx-pod shows nginx's access log, with the GET."
    logs {
      pod       = "my-nginx-pod"
      container = "my-nginx-container"
      matches   = "\"GET / HTTP/1\\.1\" 200"
    }
  }

  check "api serves pods" {
    description = "kubectl api-resources lists pods (v1, kind Pod)."
    api_resources {
      api_version = "v1"
      resource    = "pods"
      kind        = "Pod"
    }
  }
}

# Exercise 2: the same pod with a sidecar that shares its network namespace.
# It has the same pod name as exercise 1; each exercise has its own
# namespace, so both exist side by side.
exercise "sidecar" {
  description = "Containers of one pod share Linux namespaces: the sidecar reaches nginx on localhost."
  manifests   = [file("k8s_yaml/nginx-pod-with-ubuntu.yaml")]

  check "both containers ready" {
    description = "kubectl get pods shows my-nginx-pod 2/2 Running."
    ready {
      pod = "my-nginx-pod"
    }
  }

  check "sidecar reaches nginx on localhost" {
    description = "kubectl exec -it my-nginx-pod -c ubuntu-sidecar-container -- curl localhost"
    exec {
      pod           = "my-nginx-pod"
      container     = "ubuntu-sidecar-container"
      command       = ["curl", "-s", "localhost"]
      expect_stdout = "Welcome to nginx!"
    }
  }
}

# With seats, exercise.NAME is a map by seat: each output then maps seat
# names to their values.
output "nginx_pod_ip" {
  description = "The IP of exercise 1's pod: curl it from a node."
  value = try(
    exercise.nginx_pod.pods["my-nginx-pod"].ip,
    { for seat, ex in exercise.nginx_pod : seat => ex.pods["my-nginx-pod"].ip },
  )
}

output "namespaces" {
  description = "Where each exercise's objects live: kubectl -n NAMESPACE get pods."
  value = try(
    { nginx_pod = exercise.nginx_pod.namespace, sidecar = exercise.sidecar.namespace },
    { for seat, ex in exercise.nginx_pod : seat => { nginx_pod = ex.namespace, sidecar = exercise.sidecar[seat].namespace } },
  )
}
