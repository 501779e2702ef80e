package views

import (
	"strings"
)

// cell is a table cell: its text, and how to color it once padded.
type cell struct {
	text  string
	paint func(string) string
}

func plain(s string) cell { return cell{text: s} }

// maxCell is the widest a name (seat, exercise, check) may be in a table
// before it is cut with an ellipsis, so that one long name cannot push
// the results off a terminal line.
const maxCell = 40

// table lays out rows in columns padded by display width (a Hangul
// syllable takes two columns), so that colored cells (whose escape codes
// tabwriter would count) and East Asian text stay aligned. A cell wider
// than maxCell is truncated, unless it ends its row (nothing follows it
// to push out of line).
func table(b *strings.Builder, indent string, rows [][]cell) {
	var widths []int
	for _, r := range rows {
		// The last cell of a row is neither cut nor measured: nothing
		// follows it to push out of line.
		for i := range len(r) - 1 {
			r[i].text = Truncate(r[i].text, maxCell)
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(r[i].text))
		}
	}
	for _, r := range rows {
		b.WriteString(indent)
		for i, c := range r {
			text := c.text
			if i < len(r)-1 {
				text = PadRight(text, widths[i]+3)
			}
			if c.paint != nil {
				// Color the text, not the padding.
				pad := text[len(c.text):]
				text = c.paint(c.text) + pad
			}
			b.WriteString(text)
		}
		b.WriteString("\n")
	}
}
