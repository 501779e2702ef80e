// Package i18n holds the words podlab says to students and instructors
// (check results, the grading report, plan and apply summaries) in English
// and Korean, as golang.org/x/text/message catalogs. Diagnostics about a
// lab's code are not translated: they quote HCL and YAML, whose keywords
// are English, and are what one searches the web for.
package i18n

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The languages podlab speaks; English is the fallback.
var (
	English = language.English
	Korean  = language.Korean
)

// Supported names the languages -lang and lab { language } accept.
const Supported = `"en" or "ko"`

var matcher = language.NewMatcher([]language.Tag{English, Korean})

// Parse reads a language as -lang, lab { language } or a POSIX locale
// gives it: "ko", "ko-KR", "ko_KR.UTF-8", "en_US.utf8@euro". "C" and
// "POSIX" mean English. A language podlab does not speak is an error.
func Parse(s string) (language.Tag, error) {
	s = strings.TrimSpace(s)
	if s == "C" || s == "POSIX" || strings.HasPrefix(s, "C.") {
		return English, nil
	}
	// A POSIX locale: language_TERRITORY.codeset@modifier.
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	s = strings.ReplaceAll(s, "_", "-")
	t, err := language.Parse(s)
	if err != nil || s == "" {
		return English, fmt.Errorf("%q is not a language podlab knows; use %s", s, Supported)
	}
	m, _, conf := matcher.Match(t)
	if conf < language.High {
		return English, fmt.Errorf("podlab does not speak %q; use %s", s, Supported)
	}
	base, _ := m.Base()
	return language.Make(base.String()), nil
}

// FromEnv is the language the environment asks for: LC_ALL, else
// LC_MESSAGES, else LANG, as POSIX orders them; English when none names
// a language podlab speaks. getenv is os.Getenv or a test's stand-in.
func FromEnv(getenv func(string) string) language.Tag {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			t, err := Parse(v)
			if err != nil {
				return English
			}
			return t
		}
	}
	return English
}

// Choose picks the language: the -lang flag, else the lab's language
// setting, else the environment's locale. flag and lab are "" when unset;
// both have been checked by Parse where they were read.
func Choose(flag, lab string, getenv func(string) string) language.Tag {
	for _, s := range []string{flag, lab} {
		if s != "" {
			if t, err := Parse(s); err == nil {
				return t
			}
		}
	}
	return FromEnv(getenv)
}

// Printer formats messages in the language t.
func Printer(t language.Tag) *message.Printer {
	return message.NewPrinter(t, message.Catalog(cat))
}

var cat = func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(English))
	for key, ko := range korean {
		if err := b.SetString(English, key, key); err != nil {
			panic(err)
		}
		if err := b.SetString(Korean, key, ko); err != nil {
			panic(err)
		}
	}
	return b
}()

// Keys lists every message the catalog holds, for tests.
func Keys() []string {
	out := make([]string, 0, len(korean))
	for k := range korean {
		out = append(out, k)
	}
	return out
}
