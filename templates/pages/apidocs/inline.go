package apidocs

import "strings"

// The OpenAPI document's descriptions are CommonMark. The page renders the
// inline part people write there: `code` spans and **bold**. Everything
// else stays text (templ escapes it), so the document cannot put HTML on
// the page.

// Span is a run of description text.
type Span struct {
	Text string
	Code bool // a `code` span
	Bold bool // inside **bold**
}

// Spans splits a description into text, code and bold runs. A backtick
// string opens a code span closed by the next backtick string of the same
// length (one space inside each end is dropped, as in CommonMark); an
// unmatched one is text. ** toggles bold when a closing ** follows; a
// backslash before ` * or \ makes it literal.
func Spans(s string) []Span {
	type tok struct {
		text   string
		code   bool
		marker bool // a ** outside code
	}
	var toks []tok
	var buf strings.Builder
	flush := func() {
		if buf.Len() > 0 {
			toks = append(toks, tok{text: buf.String()})
			buf.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("`*\\", s[i+1]) >= 0:
			buf.WriteByte(s[i+1])
			i += 2
		case c == '`':
			n := run(s, i, '`')
			if end := closingTicks(s, i+n, n); end >= 0 {
				flush()
				toks = append(toks, tok{text: trimCode(s[i+n : end]), code: true})
				i = end + n
			} else {
				buf.WriteString(s[i : i+n])
				i += n
			}
		case c == '*' && i+1 < len(s) && s[i+1] == '*':
			flush()
			toks = append(toks, tok{text: "**", marker: true})
			i += 2
		default:
			buf.WriteByte(c)
			i++
		}
	}
	flush()
	// Pair the ** markers in order; an unpaired last one is text.
	markers := 0
	for _, t := range toks {
		if t.marker {
			markers++
		}
	}
	var out []Span
	bold, seen := false, 0
	add := func(sp Span) {
		if sp.Text == "" {
			return
		}
		if n := len(out); n > 0 && !sp.Code && !out[n-1].Code && out[n-1].Bold == sp.Bold {
			out[n-1].Text += sp.Text
			return
		}
		out = append(out, sp)
	}
	for _, t := range toks {
		if t.marker {
			seen++
			if seen <= markers-markers%2 {
				bold = !bold
				continue
			}
		}
		add(Span{Text: t.text, Code: t.code, Bold: bold})
	}
	return out
}

// run is the length of the run of c at s[i:].
func run(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// closingTicks is the index of the next run of exactly n backticks from
// s[i:], or -1.
func closingTicks(s string, i, n int) int {
	for i < len(s) {
		j := strings.IndexByte(s[i:], '`')
		if j < 0 {
			return -1
		}
		j += i
		m := run(s, j, '`')
		if m == n {
			return j
		}
		i = j + m
	}
	return -1
}

func trimCode(s string) string {
	if len(s) >= 2 && s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "" {
		return s[1 : len(s)-1]
	}
	return s
}

// PathSegments splits an API path after each "/", so that the page can let
// it wrap there and nowhere else: "/api/v1/me" is "/", "api/", "v1/", "me".
func PathSegments(p string) []string {
	var out []string
	for p != "" {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			out = append(out, p)
			break
		}
		out = append(out, p[:i+1])
		p = p[i+1:]
	}
	return out
}
