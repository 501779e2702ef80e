package manifest

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// FromValue builds an object from an HCL value, such as an inline object or
// the result of yamldecode. The value must be wholly known.
func FromValue(v cty.Value) (*Object, *Error) {
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return nil, &Error{Msg: fmt.Sprintf("a manifest must be a YAML string or an object, not %s", v.Type().FriendlyName())}
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, &Error{Msg: "cannot encode the object: " + err.Error()}
	}
	u, err := toUnstructured(b)
	if err != nil {
		return nil, &Error{Msg: "not a Kubernetes object: " + err.Error(),
			Hint: "An inline manifest needs apiVersion, kind and metadata.name."}
	}
	o := &Object{Unstructured: u}
	if e := validate(o); e != nil {
		return nil, e
	}
	return o, nil
}
