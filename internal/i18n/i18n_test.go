package i18n

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want language.Tag
		err  string
	}{
		{"ko", Korean, ""},
		{"ko-KR", Korean, ""},
		{"ko_KR.UTF-8", Korean, ""},
		{"en", English, ""},
		{"en_US.utf8@euro", English, ""},
		{"C", English, ""},
		{"C.UTF-8", English, ""},
		{"POSIX", English, ""},
		{"fr", English, "does not speak"},
		{"xx-not-a-lang!", English, "not a language"},
		{"", English, "not a language"},
	} {
		got, err := Parse(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), Supported) {
				t.Errorf("Parse(%q) error = %v, want one containing %q and naming the choices", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestChoose(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tt := range []struct {
		name      string
		flag, lab string
		env       map[string]string
		want      language.Tag
	}{
		{"nothing set", "", "", nil, English},
		{"LANG", "", "", map[string]string{"LANG": "ko_KR.UTF-8"}, Korean},
		{"LC_ALL over LANG", "", "", map[string]string{"LANG": "ko_KR.UTF-8", "LC_ALL": "C"}, English},
		{"LC_MESSAGES over LANG", "", "", map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, Korean},
		{"an unknown locale is English", "", "", map[string]string{"LANG": "de_DE.UTF-8"}, English},
		{"the lab over LANG", "", "ko", map[string]string{"LANG": "en_US.UTF-8"}, Korean},
		{"the flag over the lab", "en", "ko", map[string]string{"LANG": "ko_KR.UTF-8"}, English},
	} {
		if got := Choose(tt.flag, tt.lab, env(tt.env)); got != tt.want {
			t.Errorf("%s: Choose = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Every message has a Korean translation that keeps the key's verbs, so
// that no argument is lost or shown as %!d(MISSING).
func TestCatalogTranslatesEveryKey(t *testing.T) {
	ko, en := Printer(Korean), Printer(English)
	for _, k := range Keys() {
		var args []any
		for i := 0; i+1 < len(k); i++ {
			if k[i] != '%' {
				continue
			}
			switch k[i+1] {
			case 'd':
				args = append(args, 7)
			case 's', 'q':
				args = append(args, "x")
			}
			i++
		}
		got := ko.Sprintf(k, args...)
		if got == en.Sprintf(k, args...) && k != "%d/%d passed" {
			t.Errorf("%q is not translated", k)
		}
		if strings.Contains(got, "%!") || strings.Contains(got, "MISSING") || strings.Contains(got, "EXTRA") {
			t.Errorf("%q in Korean is %q", k, got)
		}
	}
	if got := en.Sprintf("%d checks: %d passed, %d failed.", 3, 2, 1); got != "3 checks: 2 passed, 1 failed." {
		t.Errorf("English: %q", got)
	}
	if got := ko.Sprintf("The environment %q of lab %q matches the configuration.", "gke", "pod-basics"); got != `랩 "pod-basics"의 환경 "gke"이(가) 구성과 일치합니다.` {
		t.Errorf("Korean word order: %q", got)
	}
}
