// Package printable makes text from outside podlab (lab files, container
// logs, event messages) safe to show on a terminal: control characters
// and invalid UTF-8 are written as visible escapes, so that what a file or
// a container wrote can neither move the cursor, recolour, nor hide
// podlab's own output.
package printable

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s with every control character except tab and newline
// written as a Go escape (\x1b, \x00, \u0085) and every byte of invalid
// UTF-8 as \xNN. Text without such characters is returned as it is.
func String(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || r == '\n' || !unicode.IsControl(r):
			b.WriteString(s[i : i+size])
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// clean reports whether s has nothing String would escape.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			// Rare in labs: let the slow path judge multi-byte text.
			if !utf8.ValidString(s[i:]) {
				return false
			}
			for _, r := range s[i:] {
				if r != '\t' && r != '\n' && unicode.IsControl(r) {
					return false
				}
			}
			return true
		}
		if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f {
			return false
		}
	}
	return true
}
