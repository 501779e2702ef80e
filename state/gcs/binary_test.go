package gcs

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/podlab/podlab/state"
)

// The backend block through the built podlab: state list reads the bucket,
// a held lock stops a plan with the holder's name, and state rm writes the
// bucket under the lock. No cluster is needed.
func TestBackendBlockThroughPodlab(t *testing.T) {
	if testing.Short() {
		t.Skip("builds podlab")
	}
	host := fakeGCS(t)
	bin := filepath.Join(t.TempDir(), "podlab")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/podlab/podlab/cmd/podlab").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	lab := t.TempDir()
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "examples", "pod-basics")
	if out, err := exec.Command("cp", "-r", src+"/.", lab).CombinedOutput(); err != nil {
		t.Fatalf("copy lab: %v\n%s", err, out)
	}
	backend := "backend \"gcs\" {\n  bucket = \"" + testBucket + "\"\n  prefix = \"team/pods\"\n}\n"
	if err := os.WriteFile(filepath.Join(lab, "backend.podlab.hcl"), []byte(backend), 0o644); err != nil {
		t.Fatal(err)
	}
	podlab := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = lab
		cmd.Env = append(os.Environ(), "STORAGE_EMULATOR_HOST="+host, "NO_COLOR=1",
			"PODLAB_VAR_kubeconfig="+filepath.Join(lab, "no-such-kubeconfig"))
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}

	ctx := context.Background()
	b := newBackend(t, "team/pods")
	st := state.New("pod-basics", "kubeconfig")
	st.Serial = 1
	st.Objects = []*state.Object{{Address: "exercise.nginx_pod.Pod.my-nginx-pod", Instance: "exercise.nginx_pod", APIVersion: "v1", Kind: "Pod", Namespace: "ns", Name: "my-nginx-pod"}}
	if err := b.Write(ctx, "kubeconfig", st); err != nil {
		t.Fatal(err)
	}
	if out, code := podlab("state", "list"); code != 0 || !strings.Contains(out, "exercise.nginx_pod.Pod.my-nginx-pod") {
		t.Fatalf("state list: exit %d\n%s", code, out)
	}

	info := state.NewLockInfo("apply", "test")
	if _, err := b.Lock(ctx, "kubeconfig", info); err != nil {
		t.Fatal(err)
	}
	out, code := podlab("plan")
	if code == 0 || !strings.Contains(out, "locked by \"apply\"") || !strings.Contains(out, info.ID) {
		t.Fatalf("plan under another's lock: exit %d\n%s", code, out)
	}
	if err := b.Unlock(ctx, "kubeconfig", info.ID); err != nil {
		t.Fatal(err)
	}

	if out, code := podlab("state", "rm", "exercise.nginx_pod.Pod.my-nginx-pod"); code != 0 {
		t.Fatalf("state rm: exit %d\n%s", code, out)
	}
	got, err := newBackend(t, "team/pods").Read(ctx, "kubeconfig")
	if err != nil || len(got.Objects) != 0 || got.Serial != 2 {
		t.Fatalf("state after rm = %+v, %v", got, err)
	}
	if holder, gen, err := b.holder(ctx, b.object("kubeconfig", "state.lock")); err != nil || gen != 0 {
		t.Fatalf("podlab left its lock: %+v %v", holder, err)
	}
}
