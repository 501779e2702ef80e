package views

// Version shows podlab's version, the platform and the Go it was built
// with; with -json as one object.
func (v *View) Version(version, goos, goarch, goVersion string) {
	if v.JSON {
		_ = v.Raw(map[string]string{"podlab_version": version, "go": goVersion, "platform": goos + "_" + goarch})
		return
	}
	v.Printf("podlab %s\non %s_%s, built with %s\n", version, goos, goarch, goVersion)
}
