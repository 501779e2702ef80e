package fakegke

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// GKE still reads the deprecated request fields (project_id, zone,
// cluster_id, ...) and still fills deprecated response fields (zone,
// status_message, current_node_count, ...), so the fake must too. It reaches
// them by their proto names through protobuf reflection, in this one place,
// rather than through the generated deprecated accessors scattered around.

func field(m proto.Message, name string) (protoreflect.Message, protoreflect.FieldDescriptor) {
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		panic("fakegke: " + string(r.Descriptor().FullName()) + " has no field " + name)
	}
	return r, fd
}

func hasField(m proto.Message, name string) bool {
	return m.ProtoReflect().Descriptor().Fields().ByName(protoreflect.Name(name)) != nil
}

func getString(m proto.Message, name string) string {
	r, fd := field(m, name)
	return r.Get(fd).String()
}

func setString(m proto.Message, name, v string) {
	r, fd := field(m, name)
	r.Set(fd, protoreflect.ValueOfString(v))
}

func getInt32(m proto.Message, name string) int32 {
	r, fd := field(m, name)
	return int32(r.Get(fd).Int())
}

func setInt32(m proto.Message, name string, v int32) {
	r, fd := field(m, name)
	r.Set(fd, protoreflect.ValueOfInt32(v))
}

// getMessage returns a message field, or nil when it is not set.
func getMessage(m proto.Message, name string) proto.Message {
	r, fd := field(m, name)
	if !r.Has(fd) {
		return nil
	}
	return r.Get(fd).Message().Interface()
}

func setMessage(m proto.Message, name string, v proto.Message) {
	r, fd := field(m, name)
	r.Set(fd, protoreflect.ValueOfMessage(v.ProtoReflect()))
}
