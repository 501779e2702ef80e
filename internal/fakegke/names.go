package fakegke

import (
	"fmt"
	"regexp"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// GKE accepts every resource two ways: the v1 resource name
// ("projects/P/locations/L/clusters/C") and the deprecated project_id, zone
// and cluster_id fields. When both are given, the name wins. Messages about
// a resource echo the form the request used, as GKE's do
// ("Not found: projects/P/zones/Z/clusters/C.").

// clusterKey identifies a cluster.
type clusterKey struct {
	project, location, name string
}

// ref is a parsed resource reference: a location (parent), a cluster, a node
// pool or an operation, remembering which form the request used.
type ref struct {
	project, location string
	cluster, nodePool string
	operation         string
	zonal             bool // the request used the deprecated project_id/zone fields
}

func (r ref) key() clusterKey { return clusterKey{r.project, r.location, r.cluster} }

// path renders the reference in the request's own form.
func (r ref) path() string {
	p := "projects/" + r.project + "/locations/" + r.location
	if r.zonal {
		p = "projects/" + r.project + "/zones/" + r.location
	}
	switch {
	case r.operation != "":
		return p + "/operations/" + r.operation
	case r.nodePool != "":
		return p + "/clusters/" + r.cluster + "/nodePools/" + r.nodePool
	case r.cluster != "":
		return p + "/clusters/" + r.cluster
	}
	return p
}

var (
	zonePattern   = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+-[a-z]$`)
	regionPattern = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
	// Project IDs: 6 to 30 lowercase letters, digits and hyphens, starting
	// with a letter, not ending with a hyphen.
	projectPattern = regexp.MustCompile(`^[a-z][-a-z0-9]{4,28}[a-z0-9]$`)
)

func isZone(location string) bool { return zonePattern.MatchString(location) }

// checkLocation accepts a zone or a region, and "-" (all locations) where a
// list allows it.
func checkLocation(location string, allowAll bool) error {
	if allowAll && location == "-" {
		return nil
	}
	if isZone(location) || regionPattern.MatchString(location) {
		return nil
	}
	return status.Errorf(codes.InvalidArgument, "Location %q does not exist.", location)
}

// resourceParts splits a v1 resource name into its collection/ID pairs,
// checking the collections are the expected ones in order.
func resourceParts(field, name string, collections ...string) ([]string, error) {
	segs := strings.Split(name, "/")
	ok := len(segs) == 2*len(collections)
	for i := 0; ok && i < len(collections); i++ {
		ok = segs[2*i] == collections[i] && segs[2*i+1] != ""
	}
	if !ok {
		pattern := make([]string, len(collections))
		for i, c := range collections {
			pattern[i] = c + "/*"
		}
		// approximated
		return nil, status.Errorf(codes.InvalidArgument,
			"Invalid value for field %q: %q. Must be of the form %q.", field, name, strings.Join(pattern, "/"))
	}
	ids := make([]string, len(collections))
	for i := range collections {
		ids[i] = segs[2*i+1]
	}
	return ids, nil
}

// legacyIDFields are the deprecated request fields that name what the
// collections of a v1 resource name hold.
var legacyIDFields = map[string]string{
	"clusters": "cluster_id", "nodePools": "node_pool_id", "operations": "operation_id",
}

// parseRef reads the resource a request names, from its v1 "parent" or
// "name" field or else from the deprecated project_id, zone and *_id fields.
// collections lists what the name holds after projects/P/locations/L, e.g.
// "clusters", "nodePools". allowAll accepts "-" for the location.
func parseRef(req proto.Message, allowAll bool, collections ...string) (ref, error) {
	field := "name"
	if hasField(req, "parent") {
		field = "parent"
	}
	legacyFields := []string{"project_id", "zone"}
	for _, c := range collections {
		legacyFields = append(legacyFields, legacyIDFields[c])
	}

	var ids []string
	var r ref
	if name := getString(req, field); name != "" {
		var err error
		if ids, err = resourceParts(field, name, append([]string{"projects", "locations"}, collections...)...); err != nil {
			return ref{}, err
		}
	} else {
		r.zonal = true
		for _, f := range legacyFields {
			v := getString(req, f)
			if v == "" {
				// approximated
				return ref{}, status.Errorf(codes.InvalidArgument,
					"Required field %q not specified: set %q (or the deprecated %s).",
					f, field, strings.Join(legacyFields, ", "))
			}
			ids = append(ids, v)
		}
	}
	r.project, r.location = ids[0], ids[1]
	for i, c := range collections {
		switch c {
		case "clusters":
			r.cluster = ids[2+i]
		case "nodePools":
			r.nodePool = ids[2+i]
		case "operations":
			r.operation = ids[2+i]
		}
	}
	if err := checkProjectID(r.project); err != nil {
		return ref{}, err
	}
	if err := checkLocation(r.location, allowAll); err != nil {
		return ref{}, err
	}
	return r, nil
}

func checkProjectID(project string) error {
	if projectPattern.MatchString(project) {
		return nil
	}
	// Seen from GKE for a project that does not exist.
	return status.Errorf(codes.InvalidArgument, "Project 'project:%s' not found or deleted.", project)
}

// Links are in the style of GKE's: zonal resources under /zones/, regional
// ones under /locations/. GKE writes the project number; the fake writes the
// project ID it was given.
const apiBase = "https://container.googleapis.com/v1/"

func locationLink(project, location string) string {
	kind := "locations"
	if isZone(location) {
		kind = "zones"
	}
	return fmt.Sprintf("%sprojects/%s/%s/%s", apiBase, project, kind, location)
}

func clusterLink(k clusterKey) string {
	return locationLink(k.project, k.location) + "/clusters/" + k.name
}

func nodePoolLink(k clusterKey, pool string) string {
	return clusterLink(k) + "/nodePools/" + pool
}

func operationLink(project, location, name string) string {
	return locationLink(project, location) + "/operations/" + name
}
