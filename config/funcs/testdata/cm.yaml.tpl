apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
%{ for k, v in data ~}
  ${k}: "${v}"
%{ endfor ~}
