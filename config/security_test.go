package config

import (
	"reflect"
	"testing"
)

func TestPodSecurity(t *testing.T) {
	tests := []struct {
		body, want, err string
	}{
		{"", "baseline", ""},
		{`pod_security = "restricted"`, "restricted", ""},
		{`pod_security = "privileged"`, "privileged", ""},
		{`pod_security = "Baseline"`, "", "Invalid Pod Security level"},
		{`pod_security = "strict"`, "", "Invalid Pod Security level"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			lab := files{"lab.podlab.hcl": localCluster + "lab {\n  " + tt.body + "\n}\n"}
			if tt.err != "" {
				checkLab(t, lab, tt.err, 6, "restricted", "baseline", "privileged")
				return
			}
			if got := mustEvaluate(t, lab, EvalOptions{}).Lab.PodSecurity; got != tt.want {
				t.Errorf("pod_security %q, want %q", got, tt.want)
			}
		})
	}
	for level, next := range map[string]string{"privileged": "baseline", "baseline": "restricted", "restricted": "restricted"} {
		if got := StricterPodSecurity(level); got != next {
			t.Errorf("the level after %s is %s, want %s", level, got, next)
		}
	}
}

func TestSeatQuota(t *testing.T) {
	limits := map[string]string{"cpu": "250m", "memory": "256Mi"}
	requests := map[string]string{"cpu": "5m", "memory": "16Mi"}
	tests := []struct {
		name, seats, block string
		want               *SeatQuota
	}{
		{"default with seats", "2", "", &SeatQuota{Size: "medium", Pods: 10, CPU: "2", Memory: "2Gi", DefaultLimits: limits, DefaultRequests: requests}},
		{"none without seats", "null", "", nil},
		{"a block without seats", "null", "seat_quota {\n    size = \"large\"\n  }", nil},
		{"small", "2", "seat_quota {\n    size = \"small\"\n  }", &SeatQuota{Size: "small", Pods: 5, CPU: "1", Memory: "1Gi", DefaultLimits: limits, DefaultRequests: requests}},
		{"off", "2", "seat_quota {\n    size = \"none\"\n  }", nil},
		{"overrides", "2", "seat_quota {\n    size             = \"large\"\n    pods             = 3\n    cpu              = 1\n    default_limits   = { memory = \"128Mi\" }\n    default_requests = { cpu = \"10m\" }\n  }",
			&SeatQuota{Size: "large", Pods: 3, CPU: "1", Memory: "4Gi",
				DefaultLimits: map[string]string{"cpu": "250m", "memory": "128Mi"}, DefaultRequests: map[string]string{"cpu": "10m", "memory": "16Mi"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := files{"lab.podlab.hcl": localCluster + "lab {\n  seats = " + tt.seats + "\n  " + tt.block + "\n}\n"}
			got := mustEvaluate(t, lab, EvalOptions{}).Lab.SeatQuota
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// A budget the API server would refuse, or one that admits no pod, is
// an error at the attribute that makes it so, even before seats are set.
func TestSeatQuotaErrors(t *testing.T) {
	tests := []struct {
		name, attr, err string
		details         []string
	}{
		{"unknown size", `size = "medum"`, "Invalid seat budget", []string{`"medium"`, "none"}},
		{"no pods", `pods = 0`, "Invalid seat budget", []string{"pods = 0"}},
		{"bad cpu", `cpu = "two"`, "Invalid seat budget", []string{`cpu = "two"`, "500m"}},
		{"negative memory", `memory = "-1Gi"`, "Invalid seat budget", []string{"memory"}},
		{"unknown resource", `default_limits = { gpu = "1" }`, "Invalid seat budget", []string{`"gpu"`}},
		{"bad default", `default_requests = { memory = "lots" }`, "Invalid seat budget", []string{"default_requests.memory"}},
		{"request over limit", `default_requests = { cpu = "1" }`, "Invalid seat budget", []string{"cannot exceed its limit"}},
		{"limit over the budget", `default_limits = { memory = "4Gi" }`, "Invalid seat budget", []string{"no pod without its own limits"}},
		{"unknown attribute", `pod = 3`, "Unsupported argument", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Line 6 opens the block; its attribute is on line 7.
			lab := files{"lab.podlab.hcl": localCluster + "lab {\n  seat_quota {\n    " + tt.attr + "\n  }\n}\n"}
			checkLab(t, lab, tt.err, 7, tt.details...)
		})
	}
}
