// Package manifest turns the YAML (or HCL values) of an exercise's manifests
// into Kubernetes objects, remembering where in which file each object and
// each of its fields was written so that errors can point back at it.
package manifest

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is one Kubernetes object from a manifest.
type Object struct {
	*unstructured.Unstructured
	// Source says where the object was written. For an object built from an
	// HCL value it is the zero value and callers fall back to the attribute.
	Source Source
	fields *fieldIndex
}

// Source locates a manifest document.
type Source struct {
	Filename string // absolute path of the YAML file, "" when not from a file
	Doc      int    // 0-based index of the document in the file
	Line     int    // 1-based line where the document's content starts
	Column   int
}

// Pos is a 1-based position in a manifest file.
type Pos struct{ Line, Column int }

// Error is a problem found in a manifest, placed in its file when known.
type Error struct {
	Source Source
	Pos    Pos // the offending field's position, or the document's
	Msg    string
	Hint   string
}

func (e *Error) Error() string {
	if e.Source.Filename != "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.Source.Filename, e.Pos.Line, e.Pos.Column, e.Msg)
	}
	return e.Msg
}

// GVK returns the object's group, version and kind.
func (o *Object) GVK() schema.GroupVersionKind { return o.GroupVersionKind() }

// FieldPos returns where a field, given as a Kubernetes field path such as
// "spec.containers[0].image", was written; ok is false when it was not
// written in the source (a default, or an object made from HCL).
func (o *Object) FieldPos(path string) (Pos, bool) {
	if o.fields == nil {
		return Pos{}, false
	}
	return o.fields.lookup(path)
}

// ClusterScoped reports whether kind is a built-in cluster-scoped kind. The
// planner uses it before any cluster is known; against a live cluster the
// REST mapping has the final word.
func ClusterScoped(gvk schema.GroupVersionKind) bool {
	return clusterScoped[gvk.GroupKind()]
}

var clusterScoped = map[schema.GroupKind]bool{}

func init() {
	for _, gk := range []string{
		"Namespace", "Node", "PersistentVolume", "ComponentStatus",
		"ClusterRole.rbac.authorization.k8s.io", "ClusterRoleBinding.rbac.authorization.k8s.io",
		"CustomResourceDefinition.apiextensions.k8s.io", "APIService.apiregistration.k8s.io",
		"StorageClass.storage.k8s.io", "CSIDriver.storage.k8s.io", "CSINode.storage.k8s.io",
		"VolumeAttachment.storage.k8s.io", "PriorityClass.scheduling.k8s.io",
		"IngressClass.networking.k8s.io", "RuntimeClass.node.k8s.io",
		"MutatingWebhookConfiguration.admissionregistration.k8s.io",
		"ValidatingWebhookConfiguration.admissionregistration.k8s.io",
		"ValidatingAdmissionPolicy.admissionregistration.k8s.io",
		"ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io",
		"CertificateSigningRequest.certificates.k8s.io",
		"FlowSchema.flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
	} {
		clusterScoped[schema.ParseGroupKind(gk)] = true
	}
}

// validate checks what podlab needs of every object: a kind, an apiVersion
// and a fixed name (podlab must find the object again, so generateName will
// not do).
func validate(o *Object) *Error {
	fail := func(field, msg, hint string) *Error {
		pos, ok := o.FieldPos(field)
		if !ok {
			pos = Pos{Line: o.Source.Line, Column: o.Source.Column}
		}
		return &Error{Source: o.Source, Pos: pos, Msg: msg, Hint: hint}
	}
	if o.GetAPIVersion() == "" {
		return fail("apiVersion", "the object has no apiVersion", `Every manifest needs "apiVersion", for a Pod "apiVersion: v1".`)
	}
	if _, err := schema.ParseGroupVersion(o.GetAPIVersion()); err != nil {
		return fail("apiVersion", fmt.Sprintf("apiVersion %q is not a group/version", o.GetAPIVersion()), `Write it as "v1" or "apps/v1".`)
	}
	if o.GetKind() == "" {
		return fail("kind", "the object has no kind", `Every manifest needs "kind", such as "kind: Pod".`)
	}
	if o.GetName() == "" {
		if o.GetGenerateName() != "" {
			return fail("metadata.generateName", "metadata.generateName is not supported",
				"podlab must find every object again by name; give it a fixed metadata.name.")
		}
		return fail("metadata", fmt.Sprintf("the %s has no metadata.name", o.GetKind()), "Give every object a metadata.name.")
	}
	if errs := nameErrors(o.GetName()); len(errs) > 0 {
		return fail("metadata.name", fmt.Sprintf("metadata.name %q is not a valid Kubernetes name: %s", o.GetName(), strings.Join(errs, "; ")),
			"Use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.")
	}
	return nil
}
