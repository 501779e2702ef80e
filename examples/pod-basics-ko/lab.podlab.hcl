# "Pod 사용하기" 수업(pod-notes.ko.md)을 podlab 랩으로 옮긴 것입니다. 노트의
# 두 pod와, 노트가 보여 주는 단계마다 검사가 하나씩 있습니다. pod-basics와
# 같은 랩이고, 검사 결과와 채점 보고서가 한국어로 나오며(language = "ko")
# 검사 설명이 노트의 말을 따릅니다.
#
#   podlab plan -var target=gke
#   podlab apply -var target=kubeconfig
#   podlab check
#   podlab destroy

lab {
  name      = "pod-basics"
  language  = "ko"
  cluster   = var.target
  seats     = var.students
  ttl       = var.ttl
  max_nodes = var.max_nodes
}

# 실습 1: nginx 컨테이너 하나로 된 pod.
exercise "nginx_pod" {
  description = "컨테이너 애플리케이션을 배포하기 위한 기본 단위: pod 1개 = container 1개."
  manifests   = [file("k8s_yaml/nginx-pod.yaml")]

  check "running" {
    description = "kubectl get pods: my-nginx-pod가 1/1 Running입니다."
    ready {
      pod          = "my-nginx-pod"
      max_restarts = 0
    }
  }

  check "pod IP answers from a node" {
    description = "pod IP만으로 요청 전송 (vm에서 보내야 함): curl <pod IP>가 nginx 페이지를 돌려줍니다."
    http {
      pod         = "my-nginx-pod"
      port        = 80
      from        = "node"
      expect_body = "Welcome to nginx!"
    }
  }

  check "access log shows the request" {
    description = "pod의 로그 확인: kubectl logs my-nginx-pod에 GET 요청이 남습니다."
    logs {
      pod       = "my-nginx-pod"
      container = "my-nginx-container"
      matches   = "\"GET / HTTP/1\\.1\" 200"
    }
  }

  check "api serves pods" {
    description = "kind 항목에서 사용할 수 있는 리소스 오브젝트 종류: kubectl api-resources에 pods(v1, Pod)가 있습니다."
    api_resources {
      api_version = "v1"
      resource    = "pods"
      kind        = "Pod"
    }
  }
}

# 실습 2: 같은 pod에 사이드카(sidecar) 컨테이너를 더한 것. 실습 1과 pod
# 이름이 같지만 실습마다 namespace가 따로 있어 둘 다 함께 존재합니다.
exercise "sidecar" {
  description = "pod내의 container들이 net namespace 등과 같은 리눅스 네임스페이스를 동일하게 공유합니다."
  manifests   = [file("k8s_yaml/nginx-pod-with-ubuntu.yaml")]

  check "both containers ready" {
    description = "2개의 컨테이너가 실행중입니다: kubectl get pods에 my-nginx-pod가 2/2 Running입니다."
    ready {
      pod = "my-nginx-pod"
    }
  }

  check "sidecar reaches nginx on localhost" {
    description = "우분투 컨테이너에서는 nginx를 실행하고 있지 않지만 localhost로 접속하면 nginx로 접속이 가능합니다: kubectl exec -it my-nginx-pod -c ubuntu-sidecar-container -- curl localhost"
    exec {
      pod           = "my-nginx-pod"
      container     = "ubuntu-sidecar-container"
      command       = ["curl", "-s", "localhost"]
      expect_stdout = "Welcome to nginx!"
    }
  }
}

# 좌석이 있으면 exercise.NAME은 좌석별 map이고, 출력도 좌석 이름별 값이 됩니다.
output "nginx_pod_ip" {
  description = "실습 1의 pod IP: 노드에서 curl 해 보세요."
  value = try(
    exercise.nginx_pod.pods["my-nginx-pod"].ip,
    { for seat, ex in exercise.nginx_pod : seat => ex.pods["my-nginx-pod"].ip },
  )
}

output "namespaces" {
  description = "실습마다 오브젝트가 있는 곳: kubectl -n NAMESPACE get pods."
  value = try(
    { nginx_pod = exercise.nginx_pod.namespace, sidecar = exercise.sidecar.namespace },
    { for seat, ex in exercise.nginx_pod : seat => { nginx_pod = ex.namespace, sidecar = exercise.sidecar[seat].namespace } },
  )
}
