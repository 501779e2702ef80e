package kubeadm

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseFacts(t *testing.T) {
	out := `os_id=ubuntu
os_version=24.04
os_like=debian
os_name=Ubuntu 24.04.1 LTS
arch=aarch64
hostname=CP-1
addr=10.0.0.10
addr=fd00::10
swap=/swap.img
file=/etc/kubernetes/admin.conf
file=/var/lib/kubelet/config.yaml
kubeadm=v1.34.4
kubelet=yes
garbage line
`
	f := parseFacts(out)
	want := &facts{
		osID: "ubuntu", osVersion: "24.04", osLike: "debian", osName: "Ubuntu 24.04.1 LTS", arch: "aarch64", hostname: "CP-1",
		addrs: []string{"10.0.0.10", "fd00::10"}, swap: []string{"/swap.img"},
		files:   map[string]bool{adminConf: true, kubeletConfig: true},
		kubeadm: "v1.34.4", kubelet: true,
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("parseFacts:\ngot  %+v\nwant %+v", f, want)
	}
	if !f.initialised() || f.joined() || !f.leftovers() || f.nodeName() != "cp-1" || !f.hasAddr("fd00::10") || !isDebianLike(f) {
		t.Errorf("derived facts wrong: initialised %v joined %v leftovers %v node %q", f.initialised(), f.joined(), f.leftovers(), f.nodeName())
	}
	if isDebianLike(&facts{osID: "rocky", osLike: "rhel centos fedora"}) {
		t.Errorf("rocky counted as Debian-like")
	}
}

func TestParseJoinCommand(t *testing.T) {
	tests := []struct {
		name, out string
		want      *joinCommand
		err       string
	}{{
		name: "token create output, trailing space",
		out:  "kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:1234 \n",
		want: &joinCommand{endpoint: "10.0.0.10:6443", token: "abcdef.0123456789abcdef", caHash: "sha256:1234"},
	}, {
		name: "after warnings, split over lines as kubeadm init prints it",
		out:  "W1128 configset.go:177] WARNING: kubeadm cannot validate component configs\nkubeadm join k8s.test:6443 --token t.u \\\n\t--discovery-token-ca-cert-hash sha256:ab --control-plane --certificate-key 99\n",
		want: &joinCommand{endpoint: "k8s.test:6443", token: "t.u", caHash: "sha256:ab"},
	}, {
		name: "no command",
		out:  "failed to load admin kubeconfig\n",
		err:  "no join command",
	}, {
		name: "no hash",
		out:  "kubeadm join 10.0.0.10:6443 --token t.u\n",
		err:  "lacks",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseJoinCommand(tt.out)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
