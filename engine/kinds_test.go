package engine_test

// The tests evaluate labs with cluster blocks, whose kinds the providers
// register.
import _ "github.com/podlab/podlab/providers/factory"
