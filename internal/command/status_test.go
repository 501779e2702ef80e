package command

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/examples"
	"github.com/podlab/podlab/state"
)

// writeState records an environment of the lab in dir, as apply would.
func writeState(t *testing.T, dir, env string, objects int) {
	t.Helper()
	st := &state.State{Lab: "pod-basics", Environment: env}
	for i := range objects {
		st.Objects = append(st.Objects, &state.Object{Address: "exercise.nginx_pod.Pod.p" + string(rune('a'+i)), Kind: "Pod", Name: "p"})
	}
	if err := state.NewLocal(filepath.Join(dir, ".podlab")).Write(context.Background(), env, st); err != nil {
		t.Fatal(err)
	}
}

// status takes the options of the commands that load the lab, names the
// lab by its name, and prints JSON one object per line.
func TestStatus(t *testing.T) {
	// A directory whose name is not the lab's.
	dir := filepath.Join(t.TempDir(), "class-2026")
	if err := os.Rename(copyLab(t, exampleDir), dir); err != nil {
		t.Fatal(err)
	}
	varFile := filepath.Join(dir, "gke.podlab.tfvars")
	if err := os.WriteFile(varFile, []byte("gke_project = \"podlab-class\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"LANG=C"}

	r := run(t, dir, env, "status")
	if r.code != 0 || r.stdout != "No environment of lab pod-basics has state yet.\n" {
		t.Errorf("status without state: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, env, "status", "-var", "target=gke", "-var-file", "gke.podlab.tfvars", "-workspace", "fall", "-no-color", "-lang", "ko")
	if r.code != 0 || !strings.Contains(r.stdout, "랩 pod-basics에는 아직 상태가 기록된 환경이 없습니다.") {
		t.Errorf("status with the lab options: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, env, "status", "-var", "target=nowhere")
	if r.code != 1 || !strings.Contains(r.stderr, "target must be gke, onprem or kubeconfig") {
		t.Errorf("status with an invalid variable: exit %d, %s", r.code, r.stderr)
	}
	r = run(t, dir, env, "status", "-lang", "fr")
	if r.code != 1 || !strings.Contains(r.stderr, `podlab does not speak "fr"`) {
		t.Errorf("status -lang fr: exit %d, %s", r.code, r.stderr)
	}

	writeState(t, dir, "kubeconfig", 3)
	writeState(t, dir, "gke@fall", 5)
	r = run(t, dir, env, "status", "-json")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("status -json: exit %d, %d lines:\n%s%s", r.code, len(lines), r.stdout, r.stderr)
	}
	for _, l := range lines {
		var row map[string]any
		if err := json.Unmarshal([]byte(l), &row); err != nil || row["environment"] == nil {
			t.Errorf("status -json line %q is not an environment object: %v", l, err)
		}
	}
	r = run(t, dir, env, "status", "-workspace", "fall")
	if r.code != 0 || !strings.Contains(r.stdout, "gke@fall") || strings.Contains(r.stdout, "kubeconfig ") {
		t.Errorf("status -workspace fall shows:\n%s%s", r.stdout, r.stderr)
	}
	r = run(t, dir, env, "status", "-workspace", "default")
	if r.code != 0 || strings.Contains(r.stdout, "gke@fall") || !strings.Contains(r.stdout, "kubeconfig") {
		t.Errorf("status -workspace default shows:\n%s%s", r.stdout, r.stderr)
	}
	// LANG chooses Korean; -lang en overrides it.
	r = run(t, dir, []string{"LANG=ko_KR.UTF-8"}, "status")
	if !strings.Contains(r.stdout, "오브젝트") {
		t.Errorf("status under LANG=ko_KR.UTF-8:\n%s%s", r.stdout, r.stderr)
	}
	r = run(t, dir, []string{"LANG=ko_KR.UTF-8"}, "status", "-lang", "en")
	if !strings.Contains(r.stdout, "OBJECTS") {
		t.Errorf("status -lang en under LANG=ko_KR.UTF-8:\n%s%s", r.stdout, r.stderr)
	}
}

// lab { language = "ko" } makes the lab's output Korean unless -lang says
// otherwise; a language podlab does not speak is a located error.
func TestLabLanguage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pod-basics-ko")
	if _, err := examples.Write("pod-basics-ko", dir); err != nil {
		t.Fatal(err)
	}
	writeState(t, dir, "kubeconfig", 1)
	r := run(t, dir, []string{"LANG=C"}, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "남은 시간") {
		t.Errorf("the Korean example's status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, []string{"LANG=C"}, "status", "-lang=en")
	if r.code != 0 || !strings.Contains(r.stdout, "TIME LEFT") {
		t.Errorf("-lang en over the lab's language: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lab := filepath.Join(dir, "lab.podlab.hcl")
	b, err := os.ReadFile(lab)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lab, []byte(strings.Replace(string(b), `language  = "ko"`, `language  = "klingon"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, dir, []string{"LANG=C"}, "validate")
	if r.code != 1 || !strings.Contains(r.stderr, "Invalid language") || !strings.Contains(r.stderr, "lab.podlab.hcl line 13") || !strings.Contains(r.stderr, `"en" or "ko"`) {
		t.Errorf("an unknown language: exit %d\n%s", r.code, r.stderr)
	}
}
