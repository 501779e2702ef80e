// Package config is podlab's lab language: it reads the *.podlab.hcl files of
// a lab directory into a Module (what the files say, checked for shape), and
// evaluates a Module for one environment into an Env (what the lab is with
// these variables on this cluster). It never contacts a cluster; values only
// a cluster can give, such as a pod's IP, come from a Runtime or stay unknown.
package config
