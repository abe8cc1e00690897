package apidocs

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestSpans(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Span
	}{
		{"plain", []Span{{Text: "plain"}}},
		{"use `a` and ``b`c``.", []Span{{Text: "use "}, {Text: "a", Code: true}, {Text: " and "}, {Text: "b`c", Code: true}, {Text: "."}}},
		{"`` `x` ``", []Span{{Text: "`x`", Code: true}}},
		{"an ` alone", []Span{{Text: "an ` alone"}}},
		{"**bold** and `**not**`", []Span{{Text: "bold", Bold: true}, {Text: " and "}, {Text: "**not**", Code: true}}},
		{"**see `x`** now", []Span{{Text: "see ", Bold: true}, {Text: "x", Code: true, Bold: true}, {Text: " now"}}},
		{"a ** b", []Span{{Text: "a ** b"}}},
		{"\\` and \\*\\*", []Span{{Text: "` and **"}}},
		{"", nil},
	} {
		if got := Spans(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Spans(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// rich escapes everything: the document cannot put HTML on the page.
func TestRichEscapes(t *testing.T) {
	var b strings.Builder
	if err := rich("<b>x</b> `<i>` **<u>&</u>**").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	want := `&lt;b&gt;x&lt;/b&gt; <code class="code">&lt;i&gt;</code> <strong>&lt;u&gt;&amp;&lt;/u&gt;</strong>`
	if got := b.String(); got != want {
		t.Errorf("rich:\n got %s\nwant %s", got, want)
	}
}

func TestPathSegments(t *testing.T) {
	got := PathSegments("/api/v1/customers/{tenantId}/users/{userId}/activation-email")
	want := []string{"/", "api/", "v1/", "customers/", "{tenantId}/", "users/", "{userId}/", "activation-email"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PathSegments = %q", got)
	}
}
