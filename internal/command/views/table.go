package views

import (
	"strings"
	"unicode/utf8"
)

// cell is a table cell: its text, and how to color it once padded.
type cell struct {
	text  string
	paint func(string) string
}

func plain(s string) cell { return cell{text: s} }

// table lays out rows in columns padded by visible width, so that colored
// cells (whose escape codes tabwriter would count) stay aligned.
func table(b *strings.Builder, indent string, rows [][]cell) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	for _, r := range rows {
		b.WriteString(indent)
		for i, c := range r {
			text := c.text
			if i < len(r)-1 {
				text += strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c.text)+3)
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
