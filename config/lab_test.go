package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hcldec"
)

func TestLabBlock(t *testing.T) {
	env := mustEvaluate(t, files{"lab.podlab.hcl": localCluster + `
lab {
  name             = "Pod Basics"
  cluster          = "local"
  seats            = ["kim", "Lee", "김철수"]
  namespace_prefix = "pods"
  probe_image      = "registry.local/curl:8"
  ttl              = "4h"
  stuck_after      = "15m"
  max_nodes        = 6
  labels           = { course = "k8s" }
  check_timeout    = "90s"
  create_timeout   = "2m"
  pod_security     = "restricted"
  seat_quota {
    size = "small"
  }
}
`}, EvalOptions{})
	got := env.Lab
	seats := got.Seats
	got.Seats = nil
	want := LabSettings{
		Name: "Pod Basics", Cluster: "local", NamespacePrefix: "pods", ProbeImage: "registry.local/curl:8",
		TTL: 4 * time.Hour, StuckAfter: 15 * time.Minute, MaxNodes: 6, Labels: map[string]string{"course": "k8s"}, CheckTimeout: 90 * time.Second,
		CreateTimeout: 2 * time.Minute,
		PodSecurity:   "restricted",
		SeatQuota: &SeatQuota{Size: "small", Pods: 5, CPU: "1", Memory: "1Gi",
			DefaultLimits: map[string]string{"cpu": "250m", "memory": "256Mi"}, DefaultRequests: map[string]string{"cpu": "5m", "memory": "16Mi"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	wantSeats := []Seat{{"kim", "kim", 0}, {"Lee", "lee-" + ShortHash("Lee"), 1}, {"김철수", "seat-" + ShortHash("김철수"), 2}}
	if len(seats) != len(wantSeats) {
		t.Fatalf("seats %v", seats)
	}
	for i, s := range seats {
		if *s != wantSeats[i] {
			t.Errorf("seat %d: %+v, want %+v", i, *s, wantSeats[i])
		}
	}
}

func TestLabDefaults(t *testing.T) {
	dir := writeLab(t, files{"lab.podlab.hcl": localCluster})
	m, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(describe(diags))
	}
	env, diags := Evaluate(m, EvalOptions{})
	if diags.HasErrors() {
		t.Fatal(describe(diags))
	}
	want := LabSettings{
		Name: filepath.Base(dir), Cluster: "local", NamespacePrefix: Slug(filepath.Base(dir)),
		ProbeImage: DefaultProbeImage, CheckTimeout: time.Minute, CreateTimeout: 5 * time.Minute, PodSecurity: "baseline",
	}
	if !reflect.DeepEqual(env.Lab, want) {
		t.Errorf("got  %+v\nwant %+v", env.Lab, want)
	}
}

func TestSeats(t *testing.T) {
	tests := []struct {
		seats string
		names []string
		err   string
	}{
		{"null", nil, ""},
		{"1", []string{"seat1"}, ""},
		{"10", []string{"seat01", "seat02", "seat03", "seat04", "seat05", "seat06", "seat07", "seat08", "seat09", "seat10"}, ""},
		{`["kim", "lee"]`, []string{"kim", "lee"}, ""},
		{`toset(["lee", "kim"])`, []string{"kim", "lee"}, ""},
		{"0", nil, "Invalid seats"},
		{"1.5", nil, "Invalid seats"},
		{"[]", nil, "Invalid seats"},
		{`["kim", ""]`, nil, "Invalid seats"},
		{`["kim", "kim"]`, nil, "Invalid seats"},
		{`{ kim = 1 }`, nil, "Invalid seats"},
		{`"kim"`, nil, "Invalid seats"},
	}
	for _, tt := range tests {
		t.Run(tt.seats, func(t *testing.T) {
			lab := files{"lab.podlab.hcl": localCluster + "lab {\n  seats = " + tt.seats + "\n}\n"}
			if tt.err != "" {
				checkLab(t, lab, tt.err, 6)
				return
			}
			env := mustEvaluate(t, lab, EvalOptions{})
			var names []string
			for _, s := range env.Lab.Seats {
				names = append(names, s.Name)
			}
			if !reflect.DeepEqual(names, tt.names) {
				t.Errorf("seats %q, want %q", names, tt.names)
			}
		})
	}
}

func TestLabErrors(t *testing.T) {
	tests := []struct {
		name, body string
		err        string
		line       int
	}{
		{"name without letters", `name = "!!!"`, "Invalid lab name", 6},
		{"namespace prefix", `namespace_prefix = "Pods_1"`, "Invalid namespace prefix", 6},
		{"stuck_after", `stuck_after = "0s"`, "Invalid duration", 6},
		{"ttl", `ttl = "a day"`, "Invalid duration", 6},
		{"check_timeout", `check_timeout = "1 minute"`, "Invalid duration", 6},
		{"create_timeout not a duration", `create_timeout = "1 minute"`, "Invalid duration", 6},
		{"create_timeout zero", `create_timeout = "0s"`, "Invalid create_timeout", 6},
		{"create_timeout negative", `create_timeout = "-5s"`, "Invalid create_timeout", 6},
		{"ttl zero", `ttl = "0s"`, "Invalid duration", 6},
		{"check_timeout negative", `check_timeout = "-5s"`, "Invalid duration", 6},
		{"max_nodes negative", `max_nodes = -3`, "Invalid max_nodes", 6},
		{"max_nodes", `max_nodes = "many"`, "Incorrect attribute value type", 6},
		{"labels", `labels = ["a"]`, "Incorrect attribute value type", 6},
		{"unknown argument", `seat = 3`, "Unsupported argument", 6},
		{"unknown cluster", `cluster = "gke"`, "Unknown cluster", 6},
		{"refers to an exercise", `name = exercise.x.name`, "Invalid reference", 6},
		{"uses seat", `name = seat.name`, "Invalid reference", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, files{"lab.podlab.hcl": localCluster + "lab {\n  " + tt.body + "\n}\nexercise \"x\" {\n  manifests = []\n}\n"}, tt.err, tt.line)
		})
	}
	checkLab(t, files{"lab.podlab.hcl": localCluster + "lab {\n}\nlab {\n}\n"}, "Duplicate lab block", 7)
}

func TestBackend(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		m, diags := load(t, files{"lab.podlab.hcl": localCluster + "backend \"local\" {\n  path = \"state\"\n}\n"})
		if diags.HasErrors() {
			t.Fatal(describe(diags))
		}
		if m.Backend == nil || m.Backend.Type != BackendLocal {
			t.Fatalf("backend %+v", m.Backend)
		}
		v, diags := hcldec.Decode(m.Backend.Body, BackendSpec(BackendLocal), nil)
		if diags.HasErrors() || v.GetAttr("path").AsString() != "state" {
			t.Errorf("path %#v %s", v, describe(diags))
		}
	})
	t.Run("gcs", func(t *testing.T) {
		m, diags := load(t, files{"lab.podlab.hcl": localCluster + "backend \"gcs\" {\n  bucket = \"b\"\n}\n"})
		if diags.HasErrors() {
			t.Fatal(describe(diags))
		}
		v, diags := hcldec.Decode(m.Backend.Body, BackendSpec(BackendGCS), nil)
		if diags.HasErrors() || v.GetAttr("bucket").AsString() != "b" || v.GetAttr("prefix").AsString() != "podlab" {
			t.Errorf("gcs %#v %s", v, describe(diags))
		}
	})
	tests := []struct {
		name, lab string
		err       string
		line      int
	}{
		{"gcs without bucket", "backend \"gcs\" {\n}\n", "Missing required argument", 5},
		{"unknown type", "backend \"s3\" {\n}\n", "Unknown backend type", 5},
		{"unknown argument", "backend \"local\" {\n  dir = \"x\"\n}\n", "Unsupported argument", 6},
		{"variable", "variable \"p\" {\n  default = \"x\"\n}\nbackend \"local\" {\n  path = var.p\n}\n", "Variables not allowed in a backend", 9},
		{"duplicate", "backend \"local\" {\n}\nbackend \"local\" {\n}\n", "Duplicate backend block", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, files{"lab.podlab.hcl": localCluster + tt.lab}, tt.err, tt.line)
		})
	}
}

// TestCreateTimeout: each instance's bound on the wait for its objects
// is its exercise's create_timeout, else the lab's, else five minutes.
func TestCreateTimeout(t *testing.T) {
	const exercises = `
exercise "slow" {
  create_timeout = "10m"
  manifests      = []
}
exercise "plain" {
  manifests = []
}
`
	tests := []struct {
		name        string
		lab         string
		slow, plain time.Duration
	}{
		{"defaults", "", 10 * time.Minute, 5 * time.Minute},
		{"the lab's", "lab {\n  create_timeout = \"20s\"\n}\n", 10 * time.Minute, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEvaluate(t, files{"lab.podlab.hcl": localCluster + tt.lab + exercises}, EvalOptions{})
			if got := instance(t, env, "exercise.slow").CreateTimeout; got != tt.slow {
				t.Errorf("slow: %v, want %v", got, tt.slow)
			}
			if got := instance(t, env, "exercise.plain").CreateTimeout; got != tt.plain {
				t.Errorf("plain: %v, want %v", got, tt.plain)
			}
		})
	}
}

func TestExerciseCreateTimeoutErrors(t *testing.T) {
	tests := []struct {
		name, value, err string
	}{
		{"not a duration", `"soon"`, "Invalid duration"},
		{"zero", `"0s"`, "Invalid create_timeout"},
		{"negative", `"-5s"`, "Invalid create_timeout"},
		{"not a string", `[1]`, "Invalid create_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, files{"lab.podlab.hcl": localCluster + "exercise \"x\" {\n  manifests      = []\n  create_timeout = " + tt.value + "\n}\n"}, tt.err, 7)
		})
	}
}

// lab.allowed_paths lets the file functions read a shared course folder
// outside the lab; without it the same path is refused, at its line.
func TestAllowedPaths(t *testing.T) {
	lab := func(allowed string) string {
		return localCluster + "lab {\n  " + allowed + "\n}\nexercise \"x\" {\n  manifests = [file(\"../shared/cm.yaml\")]\n}\n"
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n"
	for _, tt := range []struct {
		name, allowed, err string
	}{
		{"allowed", `allowed_paths = ["../shared"]`, ""},
		{"not allowed", ``, "outside the lab directory"},
		{"not literal", `allowed_paths = [path.lab]`, "Invalid allowed_paths"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeLab(t, files{"lab/lab.podlab.hcl": lab(tt.allowed), "shared/cm.yaml": cm})
			m, diags := Load(filepath.Join(dir, "lab"))
			if diags.HasErrors() {
				t.Fatal(describe(diags))
			}
			env, diags := Evaluate(m, EvalOptions{})
			if tt.err == "" {
				if diags.HasErrors() {
					t.Fatal(describe(diags))
				}
				if in := instance(t, env, "exercise.x"); len(in.Objects) != 1 || in.Objects[0].GetName() != "shared" {
					t.Errorf("objects %v, want the shared ConfigMap", in.Objects)
				}
				return
			}
			if !strings.Contains(describe(diags), tt.err) {
				t.Errorf("diagnostics %s, want one saying %q", describe(diags), tt.err)
			}
			for _, d := range diags {
				if d.Subject == nil || d.Subject.Start.Line < 1 {
					t.Errorf("diagnostic %q has no location", d.Summary)
				}
			}
		})
	}
}
