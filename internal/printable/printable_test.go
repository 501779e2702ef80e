package printable

import "testing"

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "pod \"web\" is ready", "pod \"web\" is ready"},
		{"tab and newline kept", "a\tb\nc", "a\tb\nc"},
		{"korean kept", "파드 이름", "파드 이름"},
		{"escape sequence", "\x1b[2Jred\x1b[0m", `\x1b[2Jred\x1b[0m`},
		{"bell and carriage return", "ok\x07\r", `ok\x07\x0d`},
		{"nul", "a\x00b", `a\x00b`},
		{"delete", "x\x7f", `x\x7f`},
		{"c1 control", "a\u0085b\u009b", `a\u0085b\u009b`},
		{"invalid utf-8", "a\xff\xc3b", `a\xff\xc3b`},
		{"valid then invalid", "é\xfe", `é\xfe`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkStringClean(b *testing.B) {
	s := "  image = \"nginx:1.27\" # the web server's image, pinned\n"
	for b.Loop() {
		String(s)
	}
}
