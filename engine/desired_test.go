package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/podlab/podlab/config"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

// env writes a lab into a temporary directory and evaluates it.
func env(t testing.TB, files map[string]string, vars ...string) *config.Env {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var inputs []config.RawValue
	for _, v := range vars {
		rv, err := config.CLIValue(v)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, rv)
	}
	e, diags := config.Evaluate(m, config.EvalOptions{Inputs: inputs})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return e
}

const appYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: front
spec:
  replicas: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
`

func appLab(extra string) map[string]string {
	return map[string]string{
		"lab.podlab.hcl": `
lab {
  name   = "Demo Lab"
  labels = { course = "k8s", "podlab.dev/lab" = "not-this" }
}

cluster "local" {
  kubeconfig {}
}

exercise "app" {
  manifests = [file("app.yaml")]
}
` + extra,
		"app.yaml": appYAML,
	}
}

func addresses(ds []*desired) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Address)
	}
	return out
}

func TestDesiredOrderAndDependencies(t *testing.T) {
	e := New(env(t, appLab(`
exercise "client" {
  depends_on = [exercise.app]
  manifests  = [{ apiVersion = "v1", kind = "Pod", metadata = { name = "client" } }]
}
`)), nil, "test")
	ds := e.buildDesired()
	want := []string{
		"exercise.app.Namespace.demo-lab-app",
		// By kind rank, the manifest's order kept among equals.
		"exercise.app.ServiceAccount.web",
		"exercise.app.ConfigMap.settings",
		"exercise.app.ClusterRole.reader",
		"exercise.app.Service.web",
		"exercise.app.Deployment.web",
		"exercise.client.Namespace.demo-lab-client",
		"exercise.client.Pod.client",
	}
	if got := addresses(ds); !reflect.DeepEqual(got, want) {
		t.Fatalf("order:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	deps := map[string][]string{}
	for _, d := range ds {
		deps[d.Address] = d.DependsOn
	}
	ns := "exercise.app.Namespace.demo-lab-app"
	wantDeps := map[string][]string{
		ns:                                nil,
		"exercise.app.ServiceAccount.web": {ns},
		"exercise.app.ConfigMap.settings": {ns, "exercise.app.ServiceAccount.web"},
		"exercise.app.ClusterRole.reader": {ns, "exercise.app.ServiceAccount.web", "exercise.app.ConfigMap.settings"},
		"exercise.app.Service.web":        {ns, "exercise.app.ServiceAccount.web", "exercise.app.ConfigMap.settings", "exercise.app.ClusterRole.reader"},
		"exercise.app.Deployment.web":     {ns, "exercise.app.ServiceAccount.web", "exercise.app.ConfigMap.settings", "exercise.app.ClusterRole.reader", "exercise.app.Service.web"},
		// depends_on: everything of exercise.app comes first.
		"exercise.client.Namespace.demo-lab-client": want[:6],
		"exercise.client.Pod.client":                append([]string{"exercise.client.Namespace.demo-lab-client"}, want[:6]...),
	}
	for addr, w := range wantDeps {
		if got := deps[addr]; len(got) != len(w) || (len(w) > 0 && !reflect.DeepEqual(got, w)) {
			t.Errorf("%s depends on\n  %q\nwant\n  %q", addr, got, w)
		}
	}
}

func TestDesiredLabelsAndNamespaces(t *testing.T) {
	e := New(env(t, appLab("")), nil, "test")
	envID := EnvID("Demo Lab", "local")
	if envID != "demo-lab-local" {
		t.Fatalf("EnvID %q", envID)
	}
	for _, d := range e.buildDesired() {
		u := d.Object
		labels := u.GetLabels()
		want := map[string]string{
			LabelManagedBy: "podlab", LabelLab: "demo-lab", LabelEnv: envID, LabelExercise: "app",
			// The lab's own labels, but never over podlab's.
			"course": "k8s",
		}
		switch {
		case d.ExerciseNamespace:
			want[LabelRole] = RoleExerciseNS
			want[PodSecurityEnforce], want[PodSecurityWarn], want[PodSecurityAudit] = "baseline", "restricted", "restricted"
			if u.GetKind() != "Namespace" || u.GetName() != "demo-lab-app" || u.GetNamespace() != "" {
				t.Errorf("exercise namespace %s/%s in %q", u.GetKind(), u.GetName(), u.GetNamespace())
			}
		case u.GetKind() == "ClusterRole":
			if u.GetNamespace() != "" {
				t.Errorf("the cluster-wide %s is in namespace %q", d.Address, u.GetNamespace())
			}
		default:
			if u.GetNamespace() != "demo-lab-app" {
				t.Errorf("%s is in namespace %q", d.Address, u.GetNamespace())
			}
		}
		if u.GetKind() == "Deployment" {
			want["tier"] = "front" // the manifest's own
		}
		if !reflect.DeepEqual(labels, want) {
			t.Errorf("%s labels:\n  %v\nwant\n  %v", d.Address, labels, want)
		}
		a := u.GetAnnotations()
		if a[AnnotAddress] != d.Address || a[AnnotHash] != d.Hash || len(d.Hash) != 32 {
			t.Errorf("%s annotations %v, hash %q", d.Address, a, d.Hash)
		}
		// The hash covers everything but itself.
		c := u.DeepCopy()
		ca := c.GetAnnotations()
		delete(ca, AnnotHash)
		c.SetAnnotations(ca)
		if hashObject(c) != d.Hash {
			t.Errorf("%s: the hash does not match the object without it", d.Address)
		}
	}
	// The source objects are not changed by building.
	for _, in := range e.Env.Instances {
		for _, o := range in.Objects {
			if _, ok := o.GetLabels()[LabelManagedBy]; ok {
				t.Errorf("buildDesired labelled the configuration's own %s", o.Address)
			}
		}
	}
}

func TestDesiredSeats(t *testing.T) {
	files := appLab(`
exercise "solo" {
  depends_on = [exercise.app]
  manifests  = []
}
`)
	files["lab.podlab.hcl"] = strings.Replace(files["lab.podlab.hcl"], `name   = "Demo Lab"`, `name   = "Demo Lab"
  seats  = ["kim", "Lee"]`, 1)
	// A cluster-wide object would be declared once per seat: a conflict.
	files["app.yaml"] = strings.Replace(appYAML, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n---\n", "", 1)
	e := New(env(t, files), nil, "test")
	seats := map[string]string{}
	for _, d := range e.buildDesired() {
		if !d.ExerciseNamespace {
			continue
		}
		seats[d.Address] = d.Object.GetLabels()[LabelSeat]
		if d.Instance.Exercise.Name == "solo" {
			// A seat's instance waits only for the same seat's.
			for _, dep := range d.DependsOn {
				if !strings.HasPrefix(dep, "seat["+`"`+d.Instance.Seat.Name+`"`+"]") {
					t.Errorf("%s depends on another seat's %s", d.Address, dep)
				}
			}
			if len(d.DependsOn) != 5 {
				t.Errorf("%s depends on %d objects, want 5", d.Address, len(d.DependsOn))
			}
		}
	}
	lee := "lee-" + config.ShortHash("Lee")
	want := map[string]string{
		`seat["kim"].exercise.app.Namespace.demo-lab-kim-app`:           "kim",
		`seat["Lee"].exercise.app.Namespace.demo-lab-` + lee + `-app`:   lee,
		`seat["kim"].exercise.solo.Namespace.demo-lab-kim-solo`:         "kim",
		`seat["Lee"].exercise.solo.Namespace.demo-lab-` + lee + `-solo`: lee,
		// Each seat's own namespace, for its student's service account.
		`seat["kim"].access.Namespace.demo-lab-kim`:    "kim",
		`seat["Lee"].access.Namespace.demo-lab-` + lee: lee,
	}
	if !reflect.DeepEqual(seats, want) {
		t.Errorf("seat labels of the namespaces:\n%v\nwant\n%v", seats, want)
	}
}

func TestHashStability(t *testing.T) {
	hashes := func(files map[string]string) map[string]string {
		out := map[string]string{}
		for _, d := range New(env(t, files), nil, "test").buildDesired() {
			out[d.Address] = d.Hash
		}
		return out
	}
	a := hashes(appLab(""))
	for i := 0; i < 5; i++ {
		if b := hashes(appLab("")); !reflect.DeepEqual(a, b) {
			t.Fatalf("hashes differ between evaluations of the same lab:\n%v\n%v", a, b)
		}
	}
	changed := appLab("")
	changed["app.yaml"] = strings.Replace(appYAML, "replicas: 1", "replicas: 2", 1)
	c := hashes(changed)
	for addr, h := range a {
		if (addr == "exercise.app.Deployment.web") != (c[addr] != h) {
			t.Errorf("%s: hash %s → %s", addr, h, c[addr])
		}
	}
	// A manifest that carries a hash (copied from a live object) gets
	// the same hash as without it: the hash never covers a hash.
	stale := appLab("")
	stale["app.yaml"] = strings.Replace(appYAML, "  name: settings\n", "  name: settings\n  annotations:\n    podlab.dev/manifest-hash: stale\n", 1)
	if s := hashes(stale); !reflect.DeepEqual(a, s) {
		t.Errorf("a stale hash annotation changed hashes")
	}
	// Reordering the YAML's keys changes nothing.
	reordered := appLab("")
	reordered["app.yaml"] = strings.Replace(appYAML, "apiVersion: apps/v1\nkind: Deployment\n", "kind: Deployment\napiVersion: apps/v1\n", 1)
	if r := hashes(reordered); !reflect.DeepEqual(a, r) {
		t.Errorf("reordering keys changed hashes")
	}
}

func TestDesiredDeferred(t *testing.T) {
	e := New(env(t, appLab(`
exercise "probe" {
  manifests = [{
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "target" }
    data       = { ns = exercise.app.objects["Service.web"].uid }
  }]
}
`)), nil, "test")
	ds := e.buildDesired()
	last := ds[len(ds)-1]
	if !last.Deferred || last.Address != "exercise.probe.*" || last.Object != nil {
		t.Fatalf("last desired %+v", last)
	}
	if last.DependsOn[0] != "exercise.probe.Namespace.demo-lab-probe" {
		t.Errorf("deferred objects depend on %q", last.DependsOn)
	}
}

// With seats, each seat gets a service account in its own namespace and,
// in each of its exercise namespaces, a Role and a RoleBinding to it.
func TestSeatAccess(t *testing.T) {
	files := appLab("")
	files["lab.podlab.hcl"] = strings.Replace(files["lab.podlab.hcl"], `name   = "Demo Lab"`, `name   = "Demo Lab"
  seats  = ["kim"]`, 1)
	files["app.yaml"] = strings.Replace(appYAML, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n---\n", "", 1)
	e := New(env(t, files), nil, "test")
	byAddr := map[string]*desired{}
	for _, d := range e.buildDesired() {
		byAddr[d.Address] = d
	}
	sa := byAddr[`seat["kim"].access.ServiceAccount.student`]
	if sa == nil || sa.Object.GetNamespace() != "demo-lab-kim" {
		t.Fatalf("no student service account in demo-lab-kim: %+v", sa)
	}
	for _, ex := range []string{"app"} {
		rb := byAddr[`seat["kim"].exercise.`+ex+`.RoleBinding.podlab-student`]
		role := byAddr[`seat["kim"].exercise.`+ex+`.Role.podlab-student`]
		if rb == nil || role == nil {
			t.Fatalf("exercise %s lacks the student's Role or RoleBinding", ex)
		}
		if ns := rb.Object.GetNamespace(); ns != "demo-lab-kim-"+ex {
			t.Errorf("RoleBinding in %q, want demo-lab-kim-%s", ns, ex)
		}
		subj := rb.Object.Object["subjects"].([]any)[0].(map[string]any)
		if subj["name"] != "student" || subj["namespace"] != "demo-lab-kim" {
			t.Errorf("RoleBinding binds %v", subj)
		}
		if !contains(rb.DependsOn, sa.Address) || !contains(rb.DependsOn, role.Address) {
			t.Errorf("RoleBinding depends on %v, want the account and the role", rb.DependsOn)
		}
		rules := role.Object.Object["rules"].([]any)
		var resources []string
		for _, r := range rules {
			for _, res := range r.(map[string]any)["resources"].([]any) {
				resources = append(resources, res.(string))
			}
		}
		if strings.Join(resources, ",") != "pods,pods/exec,pods/log,events,resourcequotas,limitranges" {
			t.Errorf("the student's role covers %v", resources)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestProbesNamespace: node-side HTTP checks get a namespace of their own
// for their probe pods, away from the students' pods; the lab may name it
// (an existing one, say), and an exercise that has it already keeps it.
func TestProbesNamespace(t *testing.T) {
	const fromNode = `
  check "answers" {
    http {
      pod  = "web"
      port = 80
      from = "node"
    }
  }`
	tests := []struct {
		name, lab, check string
		want             string // the probes namespace, "" for none
	}{
		{"no node-side check", "", "", ""},
		{"default", "", fromNode, "demo-lab-podlab-probes"},
		{"named", `probe_namespace = "class-tools"`, fromNode, "class-tools"},
		{"an exercise's", `probe_namespace = "demo-lab-app"`, fromNode, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(env(t, map[string]string{
				"lab.podlab.hcl": "lab {\n  name = \"Demo Lab\"\n  " + tt.lab + "\n}\ncluster \"local\" {\n  kubeconfig {}\n}\nexercise \"app\" {\n  manifests = [file(\"app.yaml\")]\n" + tt.check + "\n}\n",
				"app.yaml":       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n",
			}), nil, "test")
			var got []string
			for _, d := range e.buildDesired() {
				if strings.HasPrefix(d.Address, "probes.") {
					got = append(got, d.Address)
					l := d.Object.GetLabels()
					if l[LabelRole] != RoleProbeNS || l[LabelEnv] == "" || l["pod-security.kubernetes.io/enforce"] != "privileged" || !d.ExerciseNamespace {
						t.Errorf("%s: labels %v, podlab's namespace %v", d.Address, d.Object.GetLabels(), d.ExerciseNamespace)
					}
				}
			}
			want := []string(nil)
			if tt.want != "" {
				want = []string{"probes.Namespace." + tt.want}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("probes namespace %v, want %v", got, want)
			}
		})
	}
}

// Every namespace podlab makes enforces the lab's Pod Security level and
// warns of the next stricter one; the probes' namespace stays privileged.
func TestNamespacePodSecurity(t *testing.T) {
	fromNode := "\n  check \"answers\" {\n    http {\n      pod  = \"web\"\n      port = 80\n      from = \"node\"\n    }\n  }"
	for _, tt := range []struct {
		name, lab, seats      string
		enforce, warn, probes string
	}{
		{"default", "", "", "baseline", "restricted", "privileged"},
		{"restricted", `pod_security = "restricted"`, "", "restricted", "restricted", "privileged"},
		{"privileged", `pod_security = "privileged"`, "", "privileged", "baseline", "privileged"},
		{"seats", "", `seats = ["kim"]`, "baseline", "restricted", "privileged"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := New(env(t, map[string]string{
				"lab.podlab.hcl": "lab {\n  name = \"Demo Lab\"\n  " + tt.lab + "\n  " + tt.seats + "\n}\ncluster \"local\" {\n  kubeconfig {}\n}\nexercise \"app\" {\n  manifests = [file(\"app.yaml\")]\n" + fromNode + "\n}\n",
				"app.yaml":       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n",
			}), nil, "test")
			n := 0
			for _, d := range e.buildDesired() {
				if d.Object == nil || d.Object.GetKind() != "Namespace" {
					continue
				}
				n++
				l := d.Object.GetLabels()
				want := map[string]string{PodSecurityEnforce: tt.enforce, PodSecurityWarn: tt.warn, PodSecurityAudit: tt.warn}
				if l[LabelRole] == RoleProbeNS {
					want = map[string]string{PodSecurityEnforce: tt.probes, PodSecurityWarn: "", PodSecurityAudit: ""}
				}
				for k, v := range want {
					if l[k] != v {
						t.Errorf("%s: %s = %q, want %q", d.Address, k, l[k], v)
					}
				}
			}
			if want := map[bool]int{false: 2, true: 3}[tt.seats != ""]; n != want {
				t.Errorf("%d namespaces, want %d", n, want)
			}
		})
	}
}

// Each of a seat's exercise namespaces gets a LimitRange and then a
// ResourceQuota, and the exercise's objects wait for both; a lab without
// seats, or with size = "none", gets neither.
func TestSeatBudget(t *testing.T) {
	lab := func(block string) map[string]string {
		files := appLab("")
		files["lab.podlab.hcl"] = strings.Replace(files["lab.podlab.hcl"], `name   = "Demo Lab"`, `name   = "Demo Lab"
  seats  = ["kim"]
  `+block, 1)
		files["app.yaml"] = strings.Replace(appYAML, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n---\n", "", 1)
		return files
	}
	byAddr := func(files map[string]string) map[string]*desired {
		out := map[string]*desired{}
		for _, d := range New(env(t, files), nil, "test").buildDesired() {
			out[d.Address] = d
		}
		return out
	}
	const (
		quotaAddr  = `seat["kim"].exercise.app.ResourceQuota.podlab-seat-quota`
		limitsAddr = `seat["kim"].exercise.app.LimitRange.podlab-seat-limits`
	)
	ds := byAddr(lab("seat_quota {\n    pods = 4\n  }"))
	quota, limits := ds[quotaAddr], ds[limitsAddr]
	if quota == nil || limits == nil {
		t.Fatalf("no budget in kim's namespace: %v", addressesOf(ds))
	}
	if ns := quota.Object.GetNamespace(); ns != "demo-lab-kim-app" {
		t.Errorf("the quota is in %q", ns)
	}
	hard := quota.Object.Object["spec"].(map[string]any)["hard"]
	wantHard := map[string]any{"pods": "4", "requests.cpu": "2", "limits.cpu": "2", "requests.memory": "2Gi", "limits.memory": "2Gi"}
	if !reflect.DeepEqual(hard, wantHard) {
		t.Errorf("quota %v, want %v", hard, wantHard)
	}
	lim := limits.Object.Object["spec"].(map[string]any)["limits"].([]any)[0].(map[string]any)
	if lim["type"] != "Container" || !reflect.DeepEqual(lim["default"], map[string]any{"cpu": "250m", "memory": "256Mi"}) ||
		!reflect.DeepEqual(lim["defaultRequest"], map[string]any{"cpu": "5m", "memory": "16Mi"}) {
		t.Errorf("limit range %v", lim)
	}
	if !contains(quota.DependsOn, limitsAddr) {
		t.Errorf("the quota depends on %v, want the limit range first", quota.DependsOn)
	}
	for addr, d := range ds {
		if d.Source == nil || d.Instance.Exercise.Name != "app" {
			continue
		}
		if !contains(d.DependsOn, quotaAddr) || !contains(d.DependsOn, limitsAddr) {
			t.Errorf("%s depends on %v, without the budget", addr, d.DependsOn)
		}
	}
	if ds := byAddr(lab("seat_quota {\n    size = \"none\"\n  }")); ds[quotaAddr] != nil || ds[limitsAddr] != nil {
		t.Errorf("size = \"none\" still has a budget")
	}
	for addr := range byAddr(appLab("")) {
		if strings.Contains(addr, "ResourceQuota") || strings.Contains(addr, "LimitRange") {
			t.Errorf("a lab without seats has %s", addr)
		}
	}
}

func addressesOf(ds map[string]*desired) []string {
	var out []string
	for a := range ds {
		out = append(out, a)
	}
	return out
}
