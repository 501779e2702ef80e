package config

import (
	"testing"
	"time"
)

func TestStudentExerciseMode(t *testing.T) {
	lab := func(seats, mode string) files {
		return files{"lab.podlab.hcl": localCluster + `
lab {
  cluster = "local"
  ` + seats + `
}
exercise "pod" {
  manifests = [file("pod.yaml")]
  ` + mode + `
  check "running" {
    ready { pod = "web" }
  }
  check "slow" {
    timeout = "2m"
    ready { pod = "web" }
  }
}
exercise "given" {
  manifests = [file("pod.yaml")]
  check "running" {
    ready { pod = "web" }
  }
}
`, "pod.yaml": podYAML}
	}
	env := mustEvaluate(t, lab(`seats = ["kim", "lee"]`, `mode = "student"`), EvalOptions{})
	kim := instance(t, env, `seat["kim"].exercise.pod`)
	if !kim.Student || len(kim.Objects) != 1 {
		t.Errorf("student exercise: Student %v, %d reference objects; want true, 1", kim.Student, len(kim.Objects))
	}
	// Graded as it stands: a short default wait, unless the check says.
	if got := kim.Checks[0].Timeout; got != StudentCheckTimeout {
		t.Errorf("student check timeout %v, want %v", got, StudentCheckTimeout)
	}
	if got := kim.Checks[1].Timeout; got != 2*time.Minute {
		t.Errorf("student check's own timeout %v, want 2m", got)
	}
	given := instance(t, env, `seat["kim"].exercise.given`)
	if given.Student || given.Checks[0].Timeout != 60*time.Second {
		t.Errorf("default mode: Student %v, timeout %v", given.Student, given.Checks[0].Timeout)
	}
	mustEvaluate(t, lab(`seats = ["kim"]`, `mode = "podlab"`), EvalOptions{})

	_, diags := evaluate(t, lab(`seats = ["kim"]`, `mode = "students"`), EvalOptions{})
	wantDiag(t, diags, "Invalid exercise mode", `"podlab"`, `"student"`)
	_, diags = evaluate(t, lab(``, `mode = "student"`), EvalOptions{})
	wantDiag(t, diags, "A student exercise needs seats", "lab { seats")
}
