package web_test

import (
	"strconv"
	"testing"
)

// pathLinesJS lays out, for every element matching the selector, the lines
// its text takes on screen (from each character's box) and reports each
// line break that falls inside a word: a break must follow a "/" or a
// space. It also counts the elements that take more than one line, so that
// a test can tell the check was not vacuous.
const pathLinesJS = `((sel) => {
	const out = {bad: [], wrapped: 0, total: 0};
	for (const el of document.querySelectorAll(sel)) {
		out.total++;
		const lines = [""];
		let prev = null, space = false, broken = false;
		const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			for (let i = 0; i < n.data.length; i++) {
				const ch = n.data[i];
				if (/\s/.test(ch)) { space = true; continue; }
				const r = document.createRange();
				r.setStart(n, i);
				r.setEnd(n, i + 1);
				const box = r.getClientRects()[0];
				if (!box) continue;
				if (prev && box.top > prev.top + (prev.bottom - prev.top) / 2) {
					if (!space && prev.ch !== "/") broken = true;
					lines.push("");
				} else if (space && lines[lines.length - 1] !== "") {
					lines[lines.length - 1] += " ";
				}
				lines[lines.length - 1] += ch;
				prev = {ch, top: box.top, bottom: box.bottom};
				space = false;
			}
		}
		if (lines.length > 1) out.wrapped++;
		if (broken) out.bad.push(lines.join(" ⏎ "));
	}
	return out;
})`

type pathLines struct {
	Bad     []string `json:"bad"`
	Wrapped int      `json:"wrapped"`
	Total   int      `json:"total"`
}

// TestBrowserPhoneAPIDocsPaths: at 375 px the API reference's contents
// entries and operation headings wrap their paths only after a "/" (or
// between the method and the path), never inside a word such as
// "activation-email" or "{tenantId}".
func TestBrowserPhoneAPIDocsPaths(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, tom, app.Password[tom])
	if status := b.Navigate(base + "/api-docs"); status != 200 {
		t.Fatalf("GET /api-docs: status %d", status)
	}
	for _, c := range []struct{ what, sel string }{
		{"contents entry", "[data-testid=apidocs-toc-op]"},
		{"operation heading", "[data-testid=apidocs-op] h3 span.code"},
	} {
		got := evalIn[pathLines](b, pathLinesJS+"("+strconv.Quote(c.sel)+")")
		if got.Total < 10 {
			t.Fatalf("%d %ss on the page", got.Total, c.what)
		}
		// The longest paths do not fit a phone's line: the check must see wrapping.
		if got.Wrapped == 0 {
			t.Errorf("no %s wraps at %dpx: the check saw no line breaks", c.what, phoneWidth)
		}
		for _, l := range got.Bad {
			t.Errorf("%s breaks inside a word at %dpx: %s", c.what, phoneWidth, l)
		}
	}
	assertFitsPhone(t, b, "/api-docs")
	b.AssertClean()
}
