cluster "local" {
  kubeconfig {}
}

exercise "web_app" {
  manifests = []
}

exercise "web-app" {
  manifests = []
}
