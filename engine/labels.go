package engine

import (
	"github.com/podlab/podlab/config"
)

// Labels and annotations podlab puts on everything it applies. The env
// label is how podlab finds its objects again, state or no state.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelLab       = "podlab.dev/lab"
	LabelEnv       = "podlab.dev/env"
	LabelExercise  = "podlab.dev/exercise"
	LabelSeat      = "podlab.dev/seat"
	LabelRole      = "podlab.dev/role"
	AnnotAddress   = "podlab.dev/address"
	AnnotHash      = "podlab.dev/manifest-hash"
	// The full lab, exercise and seat names, where a label value could
	// not hold them (too long, capitals, Unicode, punctuation).
	AnnotLabName      = "podlab.dev/lab-name"
	AnnotExerciseName = "podlab.dev/exercise-name"
	AnnotSeatName     = "podlab.dev/seat-name"
	RoleExerciseNS    = "exercise-namespace"
	RoleProbeNS       = "probe-namespace"
	// RoleProbe marks the probe pods of node-side HTTP checks: podlab's,
	// deleted by destroy, but started by checks rather than planned.
	RoleProbe       = "probe"
	managedByPodlab = "podlab"
)

// EnvID is the value of the env label: the lab and environment names as
// one label value (63 characters at most, hashed when longer).
func EnvID(lab, env string) string {
	return config.JoinLabel(config.Slug(lab), config.Slug(env))
}

// EnvLabels are the labels that mark an object as podlab's and the
// environment's, for what podlab starts outside a plan (probe pods).
func EnvLabels(env *config.Env) map[string]string {
	return map[string]string{LabelEnv: EnvID(env.Lab.Name, env.Name), LabelManagedBy: managedByPodlab}
}

// EnvSelector selects every object of an environment.
func EnvSelector(lab, env string) string {
	return LabelEnv + "=" + EnvID(lab, env)
}

// Pod Security Admission's namespace labels.
const (
	PodSecurityEnforce = "pod-security.kubernetes.io/enforce"
	PodSecurityWarn    = "pod-security.kubernetes.io/warn"
	PodSecurityAudit   = "pod-security.kubernetes.io/audit"
)

// podSecurityLabels are the labels of a namespace podlab makes for the
// lab: level enforced, and the next stricter one warned of (kubectl
// prints the warning to whoever applies such a pod) and audited.
func podSecurityLabels(level string) map[string]string {
	if level == "" {
		// An Env built by hand (tests) rather than evaluated.
		level = config.DefaultPodSecurity
	}
	next := config.StricterPodSecurity(level)
	return map[string]string{PodSecurityEnforce: level, PodSecurityWarn: next, PodSecurityAudit: next}
}
