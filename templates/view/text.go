package view

import (
	"context"
	"io"
)

// Text is a string rendered as HTML-escaped text: @view.Text(s) in a
// template writes what { s } writes, the five characters html.EscapeString
// escapes replaced, without the two allocations templ spends on every { }
// expression (it formats the value with fmt.Sprint first). The Users tab
// writes about 500 texts per page; that is where it is used.
type Text string

// Render writes t escaped to w.
func (t Text) Render(_ context.Context, w io.Writer) error {
	s := string(t)
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		if err := writeString(w, s[last:i]); err != nil {
			return err
		}
		if err := writeString(w, esc); err != nil {
			return err
		}
		last = i + 1
	}
	return writeString(w, s[last:])
}

func writeString(w io.Writer, s string) error {
	if s == "" {
		return nil
	}
	_, err := io.WriteString(w, s)
	return err
}
