module github.com/podlab/podlab

go 1.26.8

require (
	al.essio.dev/pkg/shellescape v1.6.1
	golang.org/x/crypto v0.59.0
)

require golang.org/x/sys v0.50.0 // indirect
