package views

// BundleWritten says podlab bundle wrote the manifest of the bundle in
// dir, what the bundle holds, and how a kubeadm block uses it.
func (v *View) BundleWritten(dir, manifest, kubernetesVersion, arch, imageRepository string, files int, size int64) {
	v.Printf("Wrote %s/%s: Kubernetes %s for %s, %d files (%.1f MB), images from %s.\n",
		dir, manifest, kubernetesVersion, arch, files, float64(size)/1e6, imageRepository)
	v.Printf("Use it with bundle = %q in a kubeadm block.\n", dir)
}
