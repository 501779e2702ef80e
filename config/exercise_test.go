package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// objectsOf lists an instance's objects as "Kind/namespace/name".
func objectsOf(in *Instance) []string {
	var out []string
	for _, o := range in.Objects {
		out = append(out, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName())
	}
	return out
}

func TestManifestSources(t *testing.T) {
	const multi = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello
---
# An empty document is skipped.
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pod-reader
  namespace: ignored-for-cluster-wide-objects
rules: []
`
	const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    ports:
    - port: 80
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec: {}
`
	const template = `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
%{ for c in containers ~}
  - name: ${c}
    image: ${c}:latest
%{ endfor ~}
`
	tests := []struct {
		name      string
		manifests string
		objects   []string
	}{
		{"file", `[file("k8s/pod.yaml")]`, []string{"Pod/lab-web/web"}},
		{"file by path.lab", `[file("${path.lab}/k8s/pod.yaml")]`, []string{"Pod/lab-web/web"}},
		{"several files", `[file("k8s/pod.yaml"), file("k8s/multi.yaml")]`,
			[]string{"Pod/lab-web/web", "ConfigMap/lab-web/settings", "ClusterRole//pod-reader"}},
		{"multi-document file", `[file("k8s/multi.yaml")]`, []string{"ConfigMap/lab-web/settings", "ClusterRole//pod-reader"}},
		{"a List is expanded", `[file("k8s/list.yaml")]`, []string{"Service/lab-web/web", "Deployment/lab-web/web"}},
		{"inline object", `[{
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "inline" }
    data       = { a = "1" }
  }]`, []string{"ConfigMap/lab-web/inline"}},
		{"inline YAML text", `[<<-YAML
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: heredoc
    YAML
  ]`, []string{"ConfigMap/lab-web/heredoc"}},
		{"yamldecode", `[yamldecode(file("k8s/pod.yaml"))]`, []string{"Pod/lab-web/web"}},
		{"yamldecode then merge", `[merge(yamldecode(file("k8s/pod.yaml")), { metadata = { name = "renamed" } })]`, []string{"Pod/lab-web/renamed"}},
		{"templatefile", `[templatefile("k8s/pod.yaml.tpl", { name = "tpl", containers = ["nginx", "redis"] })]`, []string{"Pod/lab-web/tpl"}},
		{"jsonencode", `[jsonencode({ apiVersion = "v1", kind = "Namespace", metadata = { name = "extra" } })]`, []string{"Namespace//extra"}},
		{"for expression", `[for n in ["a", "b"] : { apiVersion = "v1", kind = "ConfigMap", metadata = { name = n } }]`,
			[]string{"ConfigMap/lab-web/a", "ConfigMap/lab-web/b"}},
		{"concat of files and objects", `concat([file("k8s/pod.yaml")], [{ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "c" } }])`,
			[]string{"Pod/lab-web/web", "ConfigMap/lab-web/c"}},
		{"none", `[]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEvaluate(t, files{
				"lab.podlab.hcl":   "lab {\n  name = \"lab\"\n}\n" + localCluster + "exercise \"web\" {\n  manifests = " + tt.manifests + "\n}\n",
				"k8s/pod.yaml":     podYAML,
				"k8s/multi.yaml":   multi,
				"k8s/list.yaml":    list,
				"k8s/pod.yaml.tpl": template,
			}, EvalOptions{})
			in := instance(t, env, "exercise.web")
			if got := objectsOf(in); !reflect.DeepEqual(got, tt.objects) {
				t.Errorf("objects %q, want %q", got, tt.objects)
			}
			for _, o := range in.Objects {
				if want := "exercise.web." + o.GetKind() + "." + o.GetName(); o.Address != want {
					t.Errorf("address %q, want %q", o.Address, want)
				}
				if o.Namespaced != (o.GetNamespace() != "") {
					t.Errorf("%s: namespaced %v in namespace %q", o.Address, o.Namespaced, o.GetNamespace())
				}
			}
		})
	}
}

// TestTemplatefileManifest checks what templatefile renders.
func TestTemplatefileManifest(t *testing.T) {
	env := mustEvaluate(t, files{
		"lab.podlab.hcl": localCluster + `
exercise "web" {
  manifests = [templatefile("pod.tpl", { containers = ["nginx", "redis"] })]
}
`,
		"pod.tpl": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n%{ for c in containers ~}\n  - name: ${c}\n    image: ${c}:latest\n%{ endfor ~}\n",
	}, EvalOptions{})
	o := instance(t, env, "exercise.web").Objects[0]
	cs, _, _ := unstructuredSlice(o.Object.Object, "spec", "containers")
	if len(cs) != 2 || cs[1].(map[string]any)["image"] != "redis:latest" {
		t.Errorf("containers: %v", cs)
	}
}

func unstructuredSlice(obj map[string]any, path ...string) ([]any, bool, error) {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[p]
	}
	s, ok := cur.([]any)
	return s, ok, nil
}

func TestExerciseErrors(t *testing.T) {
	tests := []struct {
		name, body string
		err        string
		line       int // in lab.podlab.hcl, where the exercise starts on line 5
		details    []string
	}{
		{"manifests missing", ``, "Missing required argument", 5, nil},
		{"manifests is not a list", `manifests = "x"`, "Invalid manifests", 6, []string{"must be a list"}},
		{"manifests is a map", `manifests = { a = 1 }`, "Invalid manifests", 6, nil},
		{"null element", `manifests = [null]`, "Invalid manifests", 6, []string{"Element 0 of manifests is null"}},
		{"number element", `manifests = [1]`, "Invalid manifests", 6, []string{"Element 0 of manifests is number"}},
		{"inline object without kind", `manifests = [{ apiVersion = "v1", metadata = { name = "x" } }]`, "Invalid manifest", 6, []string{"has no kind"}},
		{"inline object without apiVersion", `manifests = [{ kind = "Pod", metadata = { name = "x" } }]`, "Invalid manifest", 6, []string{"has no apiVersion"}},
		{"inline text without name", "manifests = [\"apiVersion: v1\\nkind: Pod\\nmetadata: {}\\n\"]", "Invalid manifest", 6, []string{"has no metadata.name", "Element 0 of manifests"}},
		{"bad apiVersion", `manifests = [{ apiVersion = "a/b/c", kind = "Pod", metadata = { name = "x" } }]`, "Invalid manifest", 6, []string{"is not a group/version"}},
		{"namespace attribute invalid", `
  namespace = "Web Space"
  manifests = []`, "Invalid namespace", 6, nil},
		{"namespace attribute not a string", `
  namespace = ["a"]
  manifests = []`, "Invalid namespace", 6, nil},
		{"description misspelt", `
  descripton = "x"
  manifests  = []`, "Unsupported argument", 6, []string{`Did you mean "description"?`}},
		{"depends_on with a string", `
  depends_on = ["exercise.other"]
  manifests  = []`, "Invalid depends_on reference", 6, nil},
		{"depends_on an undeclared exercise", `
  depends_on = [exercise.other]
  manifests  = []`, "Reference to undeclared exercise", 6, nil},
		{"depends_on itself", `
  depends_on = [exercise.web]
  manifests  = []`, "Self-referential block", 6, nil},
		{"count not a number", `
  count     = "two"
  manifests = []`, "Invalid count argument", 6, nil},
		{"count fraction", `
  count     = 1.5
  manifests = []`, "Invalid count argument", 6, nil},
		{"count.index without count", `
  namespace = "web-${count.index}"
  manifests = []`, "Invalid reference", 6, []string{"only in an exercise that sets count"}},
		{"each.value without for_each", `
  count     = 2
  namespace = each.value
  manifests = []`, "Invalid reference", 7, nil},
		{"each.nope", `
  for_each  = toset(["a"])
  namespace = each.nope
  manifests = []`, "Unsupported attribute each.nope", 7, []string{"each has the attributes key, value"}},
		{"for_each a string", `
  for_each  = "a"
  manifests = []`, "Invalid for_each argument", 6, nil},
		{"for_each a set of numbers", `
  for_each  = toset([1, 2])
  manifests = []`, "Invalid for_each argument", 6, nil},
		{"seat outside seats is null", `
  namespace = seat.name
  manifests = []`, "Attempt to get attribute from null value", 6, nil},
		{"check with an unknown kind", `
  manifests = []
  check "c" {
    reddy {}
  }`, "Unsupported block type", 8, []string{`Did you mean "ready"?`}},
		{"check without a kind", `
  manifests = []
  check "c" {
    timeout = "1m"
  }`, "A check needs exactly one kind", 7, nil},
		{"check without a name", `
  manifests = []
  check {
    ready {}
  }`, "Missing name for check", 7, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.TrimPrefix(tt.body, "\n")
			if !strings.HasPrefix(tt.body, "\n") && body != "" {
				body = "  " + body
			}
			checkLab(t, files{"lab.podlab.hcl": localCluster + "exercise \"web\" {\n" + body + "\n}\n"}, tt.err, tt.line, tt.details...)
		})
	}
}

func TestExerciseInstances(t *testing.T) {
	const cm = `[{ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "cm" }, data = { v = %s } }]`
	tests := []struct {
		name       string
		lab        string
		vars       []string
		instances  []string // address namespace
		dependsOn  map[string][]string
		configData map[string]string // address → data.v of its ConfigMap
	}{
		{
			name:      "one instance in its own namespace",
			lab:       "exercise \"web\" {\n  manifests = " + sprintf(cm, `"x"`) + "\n}\n",
			instances: []string{"exercise.web lab-web"},
		},
		{
			name:      "namespace_prefix",
			lab:       "lab {\n  name = \"lab\"\n  namespace_prefix = \"class-a\"\n}\nexercise \"web_app\" {\n  manifests = []\n}\n",
			instances: []string{"exercise.web_app class-a-web-app"},
		},
		{
			name:      "namespace set by the exercise",
			lab:       "exercise \"web\" {\n  namespace = \"default\"\n  manifests = []\n}\n",
			instances: []string{"exercise.web default"},
		},
		{
			name:       "for_each over a map",
			lab:        "exercise \"web\" {\n  for_each = { b = \"two\", a = \"one\" }\n  manifests = " + sprintf(cm, `"${each.key}=${each.value}"`) + "\n}\n",
			instances:  []string{`exercise.web["a"] lab-web-a`, `exercise.web["b"] lab-web-b`},
			configData: map[string]string{`exercise.web["a"]`: "a=one", `exercise.web["b"]`: "b=two"},
		},
		{
			name:      "for_each over a set with names that are not slugs",
			lab:       "exercise \"web\" {\n  for_each = toset([\"Kim\", \"lee\"])\n  manifests = []\n}\n",
			instances: []string{`exercise.web["Kim"] lab-web-kim-` + ShortHash("Kim"), `exercise.web["lee"] lab-web-lee`},
		},
		{
			name:       "count",
			lab:        "exercise \"web\" {\n  count = 2\n  manifests = " + sprintf(cm, `"n${count.index}"`) + "\n}\n",
			instances:  []string{"exercise.web[0] lab-web-0", "exercise.web[1] lab-web-1"},
			configData: map[string]string{"exercise.web[0]": "n0", "exercise.web[1]": "n1"},
		},
		{
			name:      "count 0",
			lab:       "exercise \"web\" {\n  count = 0\n  manifests = []\n}\n",
			instances: nil,
		},
		{
			name:      "count from a variable",
			lab:       "variable \"n\" {\n  type = number\n  default = 1\n}\nexercise \"web\" {\n  count = var.n\n  manifests = []\n}\n",
			vars:      []string{"n=3"},
			instances: []string{"exercise.web[0] lab-web-0", "exercise.web[1] lab-web-1", "exercise.web[2] lab-web-2"},
		},
		{
			name:       "seats by number",
			lab:        "lab {\n  name = \"lab\"\n  seats = 2\n}\nexercise \"web\" {\n  manifests = " + sprintf(cm, `"${seat.name}/${seat.index}"`) + "\n}\n",
			instances:  []string{`seat["seat1"].exercise.web lab-seat1-web`, `seat["seat2"].exercise.web lab-seat2-web`},
			configData: map[string]string{`seat["seat1"].exercise.web`: "seat1/0", `seat["seat2"].exercise.web`: "seat2/1"},
		},
		{
			name:      "seats by name, times for_each",
			lab:       "lab {\n  name = \"lab\"\n  seats = [\"김철수\", \"lee\"]\n}\nexercise \"web\" {\n  for_each = toset([\"a\"])\n  manifests = []\n}\n",
			instances: []string{`seat["김철수"].exercise.web["a"] lab-seat-` + ShortHash("김철수") + `-web-a`, `seat["lee"].exercise.web["a"] lab-lee-web-a`},
		},
		{
			name: "depends_on and references order instances",
			lab: "exercise \"a\" {\n  manifests = []\n}\nexercise \"b\" {\n  depends_on = [exercise.a]\n  manifests = []\n}\n" +
				"exercise \"c\" {\n  namespace = \"${exercise.b.namespace}-c\"\n  manifests = []\n}\n",
			instances: []string{"exercise.a lab-a", "exercise.b lab-b", "exercise.c lab-b-c"},
			dependsOn: map[string][]string{"exercise.a": nil, "exercise.b": {"exercise.a"}, "exercise.c": {"exercise.b"}},
		},
		{
			name: "depends_on follows seats",
			lab: "lab {\n  name = \"lab\"\n  seats = [\"kim\", \"lee\"]\n}\nexercise \"a\" {\n  count = 2\n  manifests = []\n}\n" +
				"exercise \"b\" {\n  depends_on = [exercise.a]\n  manifests = []\n}\n",
			instances: []string{
				`seat["kim"].exercise.a[0] lab-kim-a-0`, `seat["kim"].exercise.a[1] lab-kim-a-1`, `seat["lee"].exercise.a[0] lab-lee-a-0`, `seat["lee"].exercise.a[1] lab-lee-a-1`,
				`seat["kim"].exercise.b lab-kim-b`, `seat["lee"].exercise.b lab-lee-b`,
			},
			dependsOn: map[string][]string{
				`seat["kim"].exercise.b`: {`seat["kim"].exercise.a[0]`, `seat["kim"].exercise.a[1]`},
				`seat["lee"].exercise.b`: {`seat["lee"].exercise.a[0]`, `seat["lee"].exercise.a[1]`},
			},
		},
		{
			name:      "a workspace is part of the namespace",
			lab:       "exercise \"web\" {\n  manifests = []\n}\n",
			vars:      []string{"workspace=Evening Class"},
			instances: []string{"exercise.web lab-evening-class-web"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := EvalOptions{}
			var vars []string
			for _, v := range tt.vars {
				if ws, ok := strings.CutPrefix(v, "workspace="); ok {
					opts.Workspace = ws
				} else {
					vars = append(vars, v)
				}
			}
			opts.Inputs = cli(t, vars...)
			lab := tt.lab
			if !strings.Contains(lab, "lab {") {
				lab = "lab {\n  name = \"lab\"\n}\n" + lab
			}
			env := mustEvaluate(t, files{"lab.podlab.hcl": localCluster + lab}, opts)
			var got []string
			for _, in := range env.Instances {
				got = append(got, in.Address+" "+in.Namespace)
				for _, o := range in.Objects {
					if o.Namespaced && o.GetNamespace() != in.Namespace {
						t.Errorf("%s is in namespace %q, not its instance's %q", o.Address, o.GetNamespace(), in.Namespace)
					}
				}
				if want, ok := tt.dependsOn[in.Address]; ok && !reflect.DeepEqual(in.DependsOn, want) {
					t.Errorf("%s depends on %q, want %q", in.Address, in.DependsOn, want)
				}
				if want, ok := tt.configData[in.Address]; ok {
					if len(in.Objects) != 1 {
						t.Fatalf("%s has %d objects", in.Address, len(in.Objects))
					}
					if v := in.Objects[0].Object.Object["data"].(map[string]any)["v"]; v != want {
						t.Errorf("%s: data.v = %v, want %q", in.Address, v, want)
					}
				}
			}
			if !reflect.DeepEqual(got, tt.instances) {
				t.Errorf("instances:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.instances, "\n  "))
			}
		})
	}
}

func sprintf(format, arg string) string { return strings.Replace(format, "%s", arg, 1) }

// TestExerciseValues: what exercise.NAME evaluates to in outputs and
// other exercises, before apply (pod IPs unknown) and with a runtime.
func TestExerciseValues(t *testing.T) {
	lab := files{
		"lab.podlab.hcl": "lab {\n  name = \"lab\"\n}\n" + localCluster + `
exercise "web" {
  manifests = [file("pod.yaml")]
}

exercise "client" {
  for_each  = toset(["a", "b"])
  manifests = [{
    apiVersion = "v1"
    kind       = "ConfigMap"
    metadata   = { name = "target" }
    data       = { ip = exercise.web.pods["web"].ip }
  }]
}

output "ip" {
  value = exercise.web.pods["web"].ip
}

output "namespace" {
  value = exercise.web.namespace
}

output "objects" {
  value = keys(exercise.web.objects)
}

output "clients" {
  value = { for k, c in exercise.client : k => c.namespace }
}

output "cluster" {
  value = cluster.local.kind
}
`,
		"pod.yaml": podYAML,
	}
	outputs := func(env *Env) map[string]cty.Value {
		out := map[string]cty.Value{}
		for _, o := range env.Outputs {
			out[o.Name] = o.Value
		}
		return out
	}
	env := mustEvaluate(t, lab, EvalOptions{})
	out := outputs(env)
	if out["ip"].IsKnown() {
		t.Errorf("a pod's IP is known before apply: %#v", out["ip"])
	}
	if !equal(out["namespace"], cty.StringVal("lab-web")) {
		t.Errorf("namespace = %#v", out["namespace"])
	}
	if !equal(out["objects"], cty.ListVal([]cty.Value{cty.StringVal("Pod.web")})) {
		t.Errorf("objects = %#v", out["objects"])
	}
	if !equal(out["clients"], cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("lab-client-a"), "b": cty.StringVal("lab-client-b")})) {
		t.Errorf("clients = %#v", out["clients"])
	}
	if !equal(out["cluster"], cty.StringVal("kubeconfig")) {
		t.Errorf("cluster = %#v", out["cluster"])
	}
	// Manifests that need a pod's IP wait for apply.
	for _, in := range env.Instances {
		if deferred := strings.HasPrefix(in.Address, "exercise.client"); in.Deferred != deferred {
			t.Errorf("%s: deferred %v", in.Address, in.Deferred)
		}
	}

	// With the cluster's answers, the IP is known and so are the manifests.
	env = mustEvaluate(t, lab, EvalOptions{Runtime: fakeRuntime{"exercise.web.Pod.web": {IP: "10.1.2.3", UID: "u1"}}})
	out = outputs(env)
	if !equal(out["ip"], cty.StringVal("10.1.2.3")) {
		t.Errorf("ip = %#v", out["ip"])
	}
	in := instance(t, env, `exercise.client["a"]`)
	if in.Deferred || len(in.Objects) != 1 || in.Objects[0].Object.Object["data"].(map[string]any)["ip"] != "10.1.2.3" {
		t.Errorf("client a: deferred %v, objects %v", in.Deferred, objectsOf(in))
	}
	if !reflect.DeepEqual(in.DependsOn, []string{"exercise.web"}) {
		t.Errorf("client a depends on %q", in.DependsOn)
	}
}

type fakeRuntime map[string]ObjectStatus

func (f fakeRuntime) Observed(addr string) (ObjectStatus, bool) {
	st, ok := f[addr]
	return st, ok
}

func (f fakeRuntime) ClusterAttrs() (map[string]cty.Value, bool) {
	return map[string]cty.Value{"endpoint": cty.StringVal("https://10.0.0.1")}, true
}

func TestOutputsAndLocals(t *testing.T) {
	env := mustEvaluate(t, files{"lab.podlab.hcl": localCluster + `
variable "class" {
  default = "pods"
}

locals {
  upper = upper(var.class)
  both  = "${local.upper}-${local.lower}"
}

locals {
  lower = lower(local.upper)
}

output "both" {
  description = "Both spellings."
  value       = local.both
}

output "endpoint" {
  value      = cluster.local.endpoint
  depends_on = [exercise.web]
}

output "list" {
  value = [for s in split(",", "a,b") : upper(s)]
}

exercise "web" {
  manifests = []
}
`}, EvalOptions{Runtime: fakeRuntime{}})
	want := map[string]cty.Value{
		"both":     cty.StringVal("PODS-pods"),
		"endpoint": cty.StringVal("https://10.0.0.1"),
		"list":     cty.TupleVal([]cty.Value{cty.StringVal("A"), cty.StringVal("B")}),
	}
	if len(env.Outputs) != len(want) {
		t.Fatalf("outputs: %v", env.Outputs)
	}
	for i, name := range []string{"both", "endpoint", "list"} {
		o := env.Outputs[i]
		if o.Name != name || !equal(o.Value, want[name]) {
			t.Errorf("output %d: %s = %#v, want %s = %#v", i, o.Name, o.Value, name, want[name])
		}
	}
	if env.Outputs[0].Description != "Both spellings." {
		t.Errorf("description %q", env.Outputs[0].Description)
	}

	tests := []struct {
		name, lab string
		err       string
		line      int
	}{
		{"output without value", "output \"x\" {\n  description = \"?\"\n}\n", "Missing required argument", 1},
		{"output with an unknown argument", "output \"x\" {\n  value = 1\n  sensitve = true\n}\n", "Unsupported argument", 3},
		{"duplicate local", "locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n", "Duplicate local value", 5},
		{"local refers to an undeclared local", "locals {\n  a = local.b\n}\n", "Reference to undeclared local value", 2},
		{"local uses each", "locals {\n  a = each.key\n}\n", "Invalid reference", 2},
		{"local with a block", "locals {\n  a {}\n}\n", "Unexpected \"a\" block", 2},
		{"output fails to evaluate", "output \"x\" {\n  value = 1 + \"a\"\n}\n", "Invalid operand", 2},
		{"output uses an unknown function", "output \"x\" {\n  value = lenght([])\n}\n", "Call to unknown function", 2},
		{"output refers to a missing attribute", "output \"x\" {\n  value = cluster.local.nope\n}\n", "Unsupported attribute", 2},
		{"output named badly", "output \"1x\" {\n  value = 1\n}\n", "Invalid output name", 1},
		{"incomplete reference", "output \"x\" {\n  value = var\n}\n", "Incomplete reference", 2},
		{"reference by index", "output \"x\" {\n  value = var[\"x\"]\n}\n", "Invalid reference", 2},
		{"path.nope", "output \"x\" {\n  value = path.nope\n}\n", "Unsupported attribute path.nope", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, files{"lab.podlab.hcl": tt.lab + localCluster}, tt.err, tt.line)
		})
	}
}

// TestNamespaceCollisions: names that slug alike must not put two
// instances in one namespace without the lab saying so.
func TestNamespaceCollisions(t *testing.T) {
	tests := []struct {
		name, lab string
		err       string
	}{
		{"underscore and dash", "exercise \"web_app\" {\n  manifests = []\n}\nexercise \"web-app\" {\n  manifests = []\n}\n", "Two exercise instances share a namespace"},
		{"count index and a name", "exercise \"web\" {\n  count = 2\n  manifests = []\n}\nexercise \"web_0\" {\n  manifests = []\n}\n", "Two exercise instances share a namespace"},
		{"seat and exercise", "lab {\n  seats = [\"a\", \"a-b\"]\n}\nexercise \"b_c\" {\n  manifests = []\n}\nexercise \"c\" {\n  manifests = []\n}\n", "Two exercise instances share a namespace"},
		{"a namespace the lab names twice is shared on purpose", "exercise \"a\" {\n  namespace = \"shared\"\n  manifests = []\n}\nexercise \"b\" {\n  namespace = \"shared\"\n  manifests = []\n}\n", ""},
		{"distinct names", "exercise \"web\" {\n  count = 2\n  manifests = []\n}\nexercise \"web_app\" {\n  manifests = []\n}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := evaluate(t, files{"lab.podlab.hcl": localCluster + tt.lab}, EvalOptions{})
			if tt.err == "" {
				if diags.HasErrors() {
					t.Fatal(describe(diags))
				}
				return
			}
			wantDiag(t, diags, tt.err)
		})
	}
}
