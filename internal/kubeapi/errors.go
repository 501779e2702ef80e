package kubeapi

import (
	"errors"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IsForbidden reports a 403: RBAC refused the request.
func IsForbidden(err error) bool { return err != nil && apierrors.IsForbidden(err) }

// IsNotFound reports a 404 from the API server.
func IsNotFound(err error) bool { return err != nil && apierrors.IsNotFound(err) }

func isUIDMismatch(err error) bool {
	return apierrors.IsConflict(err) && strings.Contains(err.Error(), "Precondition failed: UID")
}

// Cause is one field the API server rejected.
type Cause struct {
	Field   string
	Message string
}

// Rejection is an API server's refusal of an object (validation or
// admission), with the fields it names.
type Rejection struct {
	Status  int32
	Reason  metav1.StatusReason
	Message string
	Causes  []Cause
}

// AsRejection picks the refusal out of an API error; ok is false for other
// errors (transport, not found, ...).
func AsRejection(err error) (*Rejection, bool) {
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		return nil, false
	}
	st := se.Status()
	switch st.Reason {
	case metav1.StatusReasonInvalid, metav1.StatusReasonForbidden, metav1.StatusReasonBadRequest:
	default:
		return nil, false
	}
	r := &Rejection{Status: st.Code, Reason: st.Reason, Message: st.Message}
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			r.Causes = append(r.Causes, Cause{Field: c.Field, Message: c.Message})
		}
	}
	return r, true
}

// IsImmutable reports a change the API server refuses to make in place:
// a field that cannot change (a Pod's spec, a Service's clusterIP, a
// Deployment's selector), which only replacing the object can carry out.
func IsImmutable(err error) bool {
	r, ok := AsRejection(err)
	if !ok || r.Reason != metav1.StatusReasonInvalid {
		return false
	}
	text := strings.ToLower(r.Message)
	for _, c := range r.Causes {
		text += " " + strings.ToLower(c.Message)
	}
	return strings.Contains(text, "immutable") || strings.Contains(text, "may not change fields") ||
		strings.Contains(text, "forbidden: pod updates") || strings.Contains(text, "cannot be changed")
}

// IsMissingServiceAccount reports a pod refused because its namespace's
// service account is not made yet: the controller manager creates it just
// after the namespace, so the pod only has to wait.
func IsMissingServiceAccount(err error) bool {
	return err != nil && apierrors.IsForbidden(err) && strings.Contains(err.Error(), "serviceaccount") && strings.Contains(err.Error(), "not found")
}

// isTerminating: deleting a namespace that is already being deleted.
func isTerminating(err error) bool {
	return apierrors.IsConflict(err) && strings.Contains(strings.ToLower(err.Error()), "terminat")
}
