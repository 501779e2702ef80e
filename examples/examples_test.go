package examples

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

func TestNames(t *testing.T) {
	if got := Names(); !reflect.DeepEqual(got, []string{"pod-basics", "pod-basics-ko"}) {
		t.Errorf("Names() = %v", got)
	}
}

// TestWrite writes the course lab: its files and nothing else, however the
// source directory has been used (a plan run there makes .podlab/, which
// must never travel into the binary or a student's directory).
func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	written, err := Write("pod-basics", dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(written)
	want := []string{
		"clusters.podlab.hcl", "k8s_yaml/nginx-pod-with-ubuntu.yaml", "k8s_yaml/nginx-pod.yaml",
		"lab.podlab.hcl", "variables.podlab.hcl",
	}
	if !reflect.DeepEqual(written, want) {
		t.Errorf("wrote %v, want %v", written, want)
	}
	for _, f := range want {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(filepath.Join("pod-basics", f))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(src) {
			t.Errorf("%s differs from its source", f)
		}
	}
	// An existing .podlab/ is allowed; anything else is refused.
	empty := t.TempDir()
	if err := os.Mkdir(filepath.Join(empty, ".podlab"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Write("pod-basics", empty); err != nil {
		t.Errorf("a directory with only .podlab/ was refused: %s", err)
	}
	if _, err := Write("pod-basics", dir); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("writing over a lab: %v", err)
	}
	if _, err := Write("nope", t.TempDir()); err == nil || !strings.Contains(err.Error(), `no example "nope"`) {
		t.Errorf("unknown example: %v", err)
	}
}

// The Korean copy is the same lab: it is written with the English one's
// manifests, clusters and variables, byte for byte, and the same exercises
// and checks (so its state addresses are the same), with language = "ko"
// and Korean descriptions.
func TestKoreanCopyIsTheSameLab(t *testing.T) {
	dir := t.TempDir()
	written, err := Write("pod-basics-ko", dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(written)
	want := []string{
		"clusters.podlab.hcl", "k8s_yaml/nginx-pod-with-ubuntu.yaml", "k8s_yaml/nginx-pod.yaml",
		"lab.podlab.hcl", "variables.podlab.hcl",
	}
	if !reflect.DeepEqual(written, want) {
		t.Errorf("wrote %v, want %v", written, want)
	}
	for _, f := range []string{"k8s_yaml/nginx-pod.yaml", "k8s_yaml/nginx-pod-with-ubuntu.yaml", "clusters.podlab.hcl", "variables.podlab.hcl"} {
		en, err := os.ReadFile(filepath.Join("pod-basics", f))
		if err != nil {
			t.Fatal(err)
		}
		ko, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if string(en) != string(ko) {
			t.Errorf("%s differs between pod-basics and pod-basics-ko", f)
		}
	}
	blocks := regexp.MustCompile(`(?m)^\s*(exercise|check|output) "[^"]+"`)
	en, _ := os.ReadFile(filepath.Join("pod-basics", "lab.podlab.hcl"))
	ko, err := os.ReadFile(filepath.Join(dir, "lab.podlab.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if string(en) == string(ko) {
		t.Error("pod-basics-ko was written with the English lab file")
	}
	if a, b := blocks.FindAllString(string(en), -1), blocks.FindAllString(string(ko), -1); !reflect.DeepEqual(a, b) || len(a) == 0 {
		t.Errorf("the blocks differ:\n en %q\n ko %q", a, b)
	}
	if !strings.Contains(string(ko), `language  = "ko"`) || !strings.Contains(string(ko), "pod의 로그 확인") {
		t.Error("pod-basics-ko is not set to Korean, or lacks the notes' wording")
	}
}
