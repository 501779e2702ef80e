package fakegke

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
)

// emptyLabelFingerprint is the fingerprint GKE reports for a cluster without
// resource labels (seen in GKE's own error messages and API output). Clients
// must send it even to set the first labels: GKE refuses an empty fingerprint.
const emptyLabelFingerprint = "a9dc16a7"

// labelFingerprint is an 8-hex-digit digest of a label set, the shape of
// GKE's. Only the empty set's value is GKE's own; clients must treat it as
// opaque, and so the fake's other values need not match GKE's.
func labelFingerprint(labels map[string]string) string {
	if len(labels) == 0 {
		return emptyLabelFingerprint
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(labels[k])
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:4])
}
