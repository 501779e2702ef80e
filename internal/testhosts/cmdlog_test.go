package testhosts

import (
	"reflect"
	"testing"
)

func TestQuoteAndParseLog(t *testing.T) {
	calls := [][]string{
		{"kubeadm", "init", "--config", "/etc/kubernetes/podlab/kubeadm.yaml"},
		{"systemctl", "enable", "--now", "kubelet"},
		{"echo", "", "two words", "it's", `back\slash`, "$HOME", "new\nline", "--x=a,b:c@d%e+f"},
	}
	var log string
	for _, c := range calls {
		log += quoteLine(c) + "\n"
	}
	got, err := parseLog(log)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, calls) {
		t.Errorf("round trip:\n got %q\nwant %q", got, calls)
	}
	if q := quoteLine(calls[0]); q != "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml" {
		t.Errorf("plain words were quoted: %s", q)
	}
	if q := quoteWord("it's"); q != `'it'\''s'` {
		t.Errorf("quoteWord(it's) = %s", q)
	}
	if _, err := parseLog("echo 'open\n"); err == nil {
		t.Error("unterminated quote accepted")
	}
}
