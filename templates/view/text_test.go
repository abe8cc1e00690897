package view

import (
	"context"
	"html"
	"strings"
	"testing"
)

func TestTextEscapesAsHTMLEscapeString(t *testing.T) {
	for _, s := range []string{"", "plain", "<script>alert('x')</script>", `a & b "c"`, "&amp;", "<<>>", "ünïcødé <b>", "'", "tail<"} {
		if got, want := escape(s), html.EscapeString(s); got != want {
			t.Errorf("Text(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzText(f *testing.F) {
	f.Add("<a href='x'>&</a>")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := escape(s), html.EscapeString(s); got != want {
			t.Fatalf("Text(%q) = %q, want %q", s, got, want)
		}
	})
}

// escape is Text's escaping as a string.
func escape(s string) string {
	var sb strings.Builder
	_ = Text(s).Render(context.Background(), &sb)
	return sb.String()
}
