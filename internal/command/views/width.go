package views

import (
	"strings"

	"github.com/mattn/go-runewidth"
)

// widthCond measures text as terminals draw it: a Hangul syllable, a CJK
// ideograph or an emoji takes two columns, a combining mark none.
// Ambiguous-width symbols (✓, ✗, ·, ×, …) count as one column whatever
// the locale, as modern terminals (also in ko_KR) draw them; runewidth's
// default would make them two under a CJK LANG and shift every table.
var widthCond = func() *runewidth.Condition {
	c := runewidth.NewCondition()
	c.EastAsianWidth = false
	return c
}()

// Width is the number of terminal columns s takes.
func Width(s string) int { return widthCond.StringWidth(s) }

// PadRight pads s with spaces to w columns (no-op when it is wider).
func PadRight(s string, w int) string {
	if d := w - Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// Truncate shortens s to at most w columns, ending in "…" when it had to
// cut. It cuts between grapheme clusters only, so a syllable (also one
// written as decomposed jamo) or an emoji sequence is kept whole or
// dropped whole, never split.
func Truncate(s string, w int) string {
	if Width(s) <= w {
		return s
	}
	return widthCond.Truncate(s, w, "…")
}
