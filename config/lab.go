package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// DefaultProbeImage runs node-side HTTP checks: a small public curl image.
const DefaultProbeImage = "curlimages/curl:8.11.1"

// DefaultCreateTimeout bounds apply's wait for one object to be ready
// when neither the exercise, the lab nor apply's -create-timeout says.
const DefaultCreateTimeout = "5m"

// DefaultStuckAfter is how long a seat's check may fail before the seat
// is flagged as stuck, when the lab does not say.
const DefaultStuckAfter = "10m"

// StudentCheckTimeout is the most a student exercise's check waits by
// default (its own timeout may say more).
const StudentCheckTimeout = 10 * time.Second

// labBlock is the lab block as decoded; LabSettings is what it means.
type labBlock struct {
	Name            string            `cty:"name"`
	Cluster         string            `cty:"cluster"`
	Seats           cty.Value         `cty:"seats"`
	NamespacePrefix string            `cty:"namespace_prefix"`
	ProbeImage      string            `cty:"probe_image"`
	ProbeNamespace  string            `cty:"probe_namespace"`
	TTL             string            `cty:"ttl"`
	StuckAfter      string            `cty:"stuck_after"`
	MaxNodes        int               `cty:"max_nodes"`
	Labels          map[string]string `cty:"labels"`
	CheckTimeout    string            `cty:"check_timeout"`
	CreateTimeout   string            `cty:"create_timeout"`
	AllowedPaths    cty.Value         `cty:"allowed_paths"` // read by allowedPaths, first
	Language        string            `cty:"language"`
	PodSecurity     string            `cty:"pod_security"`
	SeatQuota       *seatQuotaBlock   `cty:"seat_quota"`
}

var labSpec = hcldec.ObjectSpec{
	"name":             str("name", ""),
	"cluster":          str("cluster", ""),
	"seats":            &hcldec.AttrSpec{Name: "seats", Type: cty.DynamicPseudoType},
	"namespace_prefix": str("namespace_prefix", ""),
	"probe_image":      str("probe_image", DefaultProbeImage),
	"probe_namespace":  str("probe_namespace", ""),
	"ttl":              str("ttl", ""),
	"stuck_after":      str("stuck_after", DefaultStuckAfter),
	"max_nodes":        number("max_nodes", 0),
	"labels":           stringMap("labels"),
	"check_timeout":    str("check_timeout", "60s"),
	"create_timeout":   str("create_timeout", DefaultCreateTimeout),
	"allowed_paths":    &hcldec.AttrSpec{Name: "allowed_paths", Type: cty.DynamicPseudoType},
	"language":         str("language", ""),
	"pod_security":     str("pod_security", DefaultPodSecurity),
	"seat_quota":       &hcldec.BlockSpec{TypeName: "seat_quota", Nested: seatQuotaSpec},
}

func checkLabShape(body hcl.Body) hcl.Diagnostics { return checkShape(body, labSpec) }
