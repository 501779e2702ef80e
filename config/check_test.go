package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// checkLabWith is a lab with a two-container pod "web", a one-container
// pod "solo" and a check block with the given body.
func checkLabWith(check string) files {
	return files{
		"lab.podlab.hcl": localCluster + `
exercise "web" {
  manifests = [file("pod.yaml"), {
    apiVersion = "v1"
    kind       = "Pod"
    metadata   = { name = "solo" }
    spec       = { containers = [{ name = "only", image = "nginx" }] }
  }]

  check "c" {
` + check + `
  }
}
`,
		"pod.yaml": podYAML,
	}
}

// checkLine is the first line of a check body in checkLabWith.
const checkLine = 15

func TestCheckKinds(t *testing.T) {
	maxRestarts := 2
	tests := []struct {
		name  string
		body  string
		check Check
	}{
		{"ready", `
    ready {
      pod          = "web"
      pods         = ["solo"]
      max_restarts = 2
    }`, Check{Kind: CheckReady, Ready: &ReadyCheck{Pod: "web", Pods: []string{"solo"}, MaxRestarts: &maxRestarts}}},
		{"ready by selector", `
    ready {
      selector = "app=web"
    }`, Check{Kind: CheckReady, Ready: &ReadyCheck{Pods: []string{}, Selector: "app=web"}}},
		{"exec", `
    timeout     = "2m"
    interval    = "5s"
    description = "curl from the sidecar"
    exec {
      pod              = "web"
      container        = "sidecar"
      command          = ["curl", "-s", "localhost"]
      expect_exit_code = 7
      expect_stdout    = "Welcome"
      stdout_matches   = "^<!DOCTYPE"
      expect_stderr    = "x"
      stderr_matches   = "y+"
    }`, Check{Kind: CheckExec, Timeout: 2 * time.Minute, Interval: 5 * time.Second, Description: "curl from the sidecar",
			Exec: &ExecCheck{Pod: "web", Container: "sidecar", Command: []string{"curl", "-s", "localhost"}, ExpectExitCode: 7,
				ExpectStdout: "Welcome", StdoutMatches: "^<!DOCTYPE", ExpectStderr: "x", StderrMatches: "y+"}}},
		{"exec in a one-container pod needs no container", `
    exec {
      pod     = "solo"
      command = ["true"]
    }`, Check{Kind: CheckExec, Exec: &ExecCheck{Pod: "solo", Command: []string{"true"}}}},
		{"http defaults", `
    http {
      pod  = "web"
      port = 80
    }`, Check{Kind: CheckHTTP, HTTP: &HTTPCheck{Pod: "web", Port: 80, Path: "/", Scheme: "http", From: FromAPIServer, ExpectStatus: 200}}},
		{"http from a node", `
    http {
      pod           = "web"
      port          = 8443
      path          = "/healthz"
      scheme        = "https"
      from          = "node"
      expect_status = 204
      expect_body   = "ok"
      body_matches  = "o+k"
    }`, Check{Kind: CheckHTTP, HTTP: &HTTPCheck{Pod: "web", Port: 8443, Path: "/healthz", Scheme: "https", From: FromNode,
			ExpectStatus: 204, ExpectBody: "ok", BodyMatches: "o+k"}}},
		{"http from another pod's container", `
    http {
      selector       = "app=web"
      port           = 80
      from           = "pod"
      from_pod       = "web"
      from_container = "sidecar"
    }`, Check{Kind: CheckHTTP, HTTP: &HTTPCheck{Selector: "app=web", Port: 80, Path: "/", Scheme: "http", From: FromPod,
			FromPod: "web", FromContainer: "sidecar", ExpectStatus: 200}}},
		{"http from the pod itself", `
    http {
      pod  = "solo"
      port = 80
      from = "pod"
    }`, Check{Kind: CheckHTTP, HTTP: &HTTPCheck{Pod: "solo", Port: 80, Path: "/", Scheme: "http", From: FromPod, ExpectStatus: 200}}},
		{"logs", `
    logs {
      pod         = "web"
      container   = "nginx"
      contains    = "GET /"
      matches     = "HTTP/1\\.1\" 200"
      since_start = true
      previous    = true
    }`, Check{Kind: CheckLogs, Logs: &LogsCheck{Pod: "web", Container: "nginx", Contains: "GET /", Matches: `HTTP/1\.1" 200`, SinceStart: true, Previous: true}}},
		{"logs of a one-container pod", `
    logs {
      pod      = "solo"
      contains = "x"
    }`, Check{Kind: CheckLogs, Logs: &LogsCheck{Pod: "solo", Contains: "x"}}},
		{"api_resources", `
    api_resources {
      api_version = "apps/v1"
      resource    = "deployments"
      kind        = "Deployment"
    }`, Check{Kind: CheckAPIResources, APIResources: &APIResourcesCheck{APIVersion: "apps/v1", Resource: "deployments", Kind: "Deployment"}}},
		{"api_resources default version", `
    api_resources {
      kind = "Pod"
    }`, Check{Kind: CheckAPIResources, APIResources: &APIResourcesCheck{APIVersion: "v1", Kind: "Pod"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEvaluate(t, checkLabWith(tt.body[1:]), EvalOptions{})
			in := instance(t, env, "exercise.web")
			if len(in.Checks) != 1 {
				t.Fatalf("%d checks", len(in.Checks))
			}
			got := *in.Checks[0]
			if got.Name != "c" || got.Address != `exercise.web.check["c"]` || got.Instance != in {
				t.Errorf("check %q at %q", got.Name, got.Address)
			}
			want := tt.check
			if want.Timeout == 0 {
				want.Timeout = 60 * time.Second // the lab's check_timeout
			}
			if want.Interval == 0 {
				want.Interval = time.Second
			}
			got.Name, got.Address, got.Instance, got.DeclRange = "", "", nil, want.DeclRange
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", describeCheck(got), describeCheck(want))
			}
		})
	}
}

func describeCheck(c Check) string {
	var kind any
	switch {
	case c.Ready != nil:
		kind = *c.Ready
	case c.Exec != nil:
		kind = *c.Exec
	case c.HTTP != nil:
		kind = *c.HTTP
	case c.Logs != nil:
		kind = *c.Logs
	case c.APIResources != nil:
		kind = *c.APIResources
	}
	c.Ready, c.Exec, c.HTTP, c.Logs, c.APIResources = nil, nil, nil, nil, nil
	return strings.ReplaceAll(strings.TrimSpace(strings.Join([]string{sprintAny(c), sprintAny(kind)}, " ")), "\n", " ")
}

func TestCheckValidation(t *testing.T) {
	tests := []struct {
		name, body string
		err        string
		line       int // relative to the check body's first line
		details    []string
	}{
		{"ready: unknown pod", `
    ready {
      pod = "wbe"
    }`, "Unknown pod", 1, []string{`Did you mean "web"?`}},
		{"ready: unknown pod in pods", `
    ready {
      pods = ["web", "other-thing"]
    }`, "Unknown pod", 1, []string{"It declares: web, solo."}},
		{"ready: bad selector", `
    ready {
      selector = "app in (web"
    }`, "Invalid selector", 1, nil},
		{"ready: negative max_restarts", `
    ready {
      pod          = "web"
      max_restarts = -1
    }`, "Invalid max_restarts", 2, nil},
		{"exec: unknown container", `
    exec {
      pod       = "web"
      container = "nginks"
      command   = ["true"]
    }`, "Unknown container", 2, []string{`Did you mean "nginx"?`, "it has nginx, sidecar"}},
		{"exec: no command", `
    exec {
      pod = "web"
    }`, "Missing required argument", 0, []string{`"command" is required`}},
		{"exec: no pod and no selector", `
    exec {
      command = ["true"]
    }`, "No pod named", 0, nil},
		{"exec: both pod and selector", `
    exec {
      pod      = "web"
      selector = "app=web"
      command  = ["true"]
    }`, "Both pod and selector", 2, nil},
		{"exec: bad stderr_matches", `
    exec {
      pod            = "solo"
      command        = ["true"]
      stderr_matches = "*"
    }`, "Invalid regular expression", 3, nil},
		{"exec: command of the wrong type", `
    exec {
      pod     = "solo"
      command = "curl localhost"
    }`, "Incorrect attribute value type", 2, nil},
		{"http: port 0", `
    http {
      pod  = "web"
      port = 0
    }`, "Invalid port", 2, nil},
		{"http: port too high", `
    http {
      pod  = "web"
      port = 70000
    }`, "Invalid port", 2, nil},
		{"http: no port", `
    http {
      pod = "web"
    }`, "Missing required argument", 0, nil},
		{"http: path", `
    http {
      pod  = "web"
      port = 80
      path = "healthz"
    }`, "Invalid path", 3, nil},
		{"http: scheme", `
    http {
      pod    = "web"
      port   = 80
      scheme = "ftp"
    }`, "Invalid scheme", 3, nil},
		{"http: from_pod without from = pod", `
    http {
      pod      = "web"
      port     = 80
      from     = "node"
      from_pod = "solo"
    }`, "Unused setting", 4, nil},
		{"http: from pod without a pod", `
    http {
      selector = "app=web"
      port     = 80
      from     = "pod"
    }`, "Missing from_pod", 0, nil},
		{"http: from an unknown pod", `
    http {
      pod      = "web"
      port     = 80
      from     = "pod"
      from_pod = "sol"
    }`, "Unknown pod", 4, []string{`Did you mean "solo"?`}},
		{"http: from an unknown container", `
    http {
      pod            = "web"
      port           = 80
      from           = "pod"
      from_container = "curl"
    }`, "Unknown container", 4, nil},
		{"http: expect_status", `
    http {
      pod           = "web"
      port          = 80
      expect_status = 42
    }`, "Invalid status", 3, nil},
		{"http: bad body_matches", `
    http {
      pod          = "web"
      port         = 80
      body_matches = "("
    }`, "Invalid regular expression", 3, nil},
		{"logs: which container", `
    logs {
      pod      = "web"
      contains = "GET"
    }`, "Which container?", 0, []string{"nginx, sidecar"}},
		{"logs: nothing to look for", `
    logs {
      pod       = "solo"
    }`, "Nothing to look for", 0, nil},
		{"logs: bad matches", `
    logs {
      pod     = "solo"
      matches = "[a-"
    }`, "Invalid regular expression", 2, nil},
		{"logs: attribute misspelt", `
    logs {
      pod     = "solo"
      contans = "GET"
    }`, "Unsupported argument", 2, []string{`Did you mean "contains"?`}},
		{"api_resources: nothing to look for", `
    api_resources {
      api_version = "v1"
    }`, "Nothing to look for", 0, nil},
		{"api_resources: api_version", `
    api_resources {
      api_version = "apps/v1/beta"
      kind        = "Deployment"
    }`, "Invalid api_version", 1, nil},
		{"timeout", `
    timeout = "-1s"
    ready {
      pod = "web"
    }`, "Invalid duration", 0, nil},
		{"interval", `
    interval = "often"
    ready {
      pod = "web"
    }`, "Invalid duration", 0, nil},
		{"unknown common argument", `
    retries = 3
    ready {
      pod = "web"
    }`, "Unsupported argument", 0, nil},
		{"two kinds", `
    ready {
      pod = "web"
    }
    logs {
      pod      = "solo"
      contains = "x"
    }`, "A check needs exactly one kind", 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLab(t, checkLabWith(tt.body[1:]), tt.err, checkLine+tt.line, tt.details...)
		})
	}
}

// TestCheckDeferred: a check of an exercise whose manifests wait for apply
// cannot be checked against them, so it is kept without complaint.
func TestCheckDeferred(t *testing.T) {
	env := mustEvaluate(t, files{"lab.podlab.hcl": localCluster + `
exercise "a" {
  manifests = [{ apiVersion = "v1", kind = "Pod", metadata = { name = "a" }, spec = { containers = [{ name = "c", image = "nginx" }] } }]
}

exercise "b" {
  manifests = [{ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "b" }, data = { ip = exercise.a.pods["a"].ip } }]

  check "pod from a" {
    ready {
      pod = "not-declared-yet"
    }
  }
}
`}, EvalOptions{})
	in := instance(t, env, "exercise.b")
	if !in.Deferred || len(in.Checks) != 1 {
		t.Errorf("deferred %v with %d checks", in.Deferred, len(in.Checks))
	}
}

// TestCheckTimeoutDefault: a check's timeout defaults to the lab's
// check_timeout.
func TestCheckTimeoutDefault(t *testing.T) {
	lab := checkLabWith("    ready {\n      pod = \"web\"\n    }")
	lab["lab.podlab.hcl"] = "lab {\n  check_timeout = \"5m\"\n}\n" + lab["lab.podlab.hcl"]
	env := mustEvaluate(t, lab, EvalOptions{})
	if c := instance(t, env, "exercise.web").Checks[0]; c.Timeout != 5*time.Minute {
		t.Errorf("timeout %v, want the lab's check_timeout 5m", c.Timeout)
	}
}
