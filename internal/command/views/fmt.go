package views

// What podlab fmt prints: data, never colored.

// FmtChanged names a file fmt rewrote (or, with -check, would rewrite).
func (v *View) FmtChanged(path string) { v.Data([]byte(path + "\n")) }

// FmtDiff shows the unified diff of a file's rewrite (fmt -diff).
func (v *View) FmtDiff(diff string) { v.Data([]byte(diff)) }

// Formatted is a file formatted from standard input (fmt -).
func (v *View) Formatted(src []byte) { v.Data(src) }
