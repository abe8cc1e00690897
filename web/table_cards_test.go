package web_test

import (
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// On a phone a table's rows are cards, and each cell shows its column's
// name from its data-label attribute (browser_cards_test.go): every cell
// of every data table carries the same words as its column's header, in
// the reader's language, except a row's title (its first cell) and the
// actions, whose column has no visible header.

// tableLabelProblems lists the cells of the page's tables whose data-label
// is missing or differs from their column's header.
func tableLabelProblems(doc *goquery.Document) []string {
	var out []string
	doc.Find("table.table").Each(func(_ int, table *goquery.Selection) {
		id := table.AttrOr("data-testid", "table")
		type column struct {
			text   string
			hidden bool // the header is for screen readers only
		}
		var cols []column
		table.Find("thead tr").First().Find("th").Each(func(_ int, th *goquery.Selection) {
			c := column{text: squash(th.Text())}
			c.hidden = th.Find(".sr-only").Length() > 0 && squash(th.Find(".sr-only").Text()) == c.text
			cols = append(cols, c)
		})
		if len(cols) == 0 {
			out = append(out, id+": no column headers")
			return
		}
		table.Find("tbody tr, tfoot tr").Each(func(_ int, tr *goquery.Selection) {
			col := 0
			tr.Children().Each(func(i int, cell *goquery.Selection) {
				span, _ := strconv.Atoi(cell.AttrOr("colspan", "1"))
				if span < 1 {
					span = 1
				}
				at := col
				col += span
				if goquery.NodeName(cell) == "th" || span >= len(cols) || at >= len(cols) {
					return // a row header is the card's title; a cell across the row is no fact of a column
				}
				label, has := cell.Attr("data-label")
				want := cols[at]
				switch {
				case i == 0 && !has:
					// the card's title
				case want.hidden && !has:
					// the actions
				case !has:
					out = append(out, id+": a cell of column "+strconv.Quote(want.text)+" has no data-label")
				case label != want.text:
					out = append(out, id+": a cell of column "+strconv.Quote(want.text)+" is labelled "+strconv.Quote(label))
				}
			})
		})
	})
	return out
}

func TestTablesLabelTheirCellsForPhones(t *testing.T) {
	app := newTestApp(t)
	pages := cardPages(cardsData(t, app))
	for _, lang := range []string{"en", "de"} {
		for _, who := range []string{tom, elizabeth} {
			c := app.client()
			c.Header.Set("Accept-Language", lang)
			c.mustSignIn(who)
			for _, p := range pages[who] {
				res := c.get(p)
				if res.StatusCode != 200 || res.Doc == nil {
					t.Errorf("%s GET %s: %d", lang, p, res.StatusCode)
					continue
				}
				if res.Doc.Find("table.table td").Length() == 0 {
					t.Errorf("%s %s: no table cells", lang, p)
				}
				for _, problem := range tableLabelProblems(res.Doc) {
					t.Errorf("%s %s: %s", lang, p, problem)
				}
			}
			if who == tom {
				// The import preview's table of rows.
				prev := c.postUpload("/account/users/import/preview", nil, map[string]string{"file": importCSV})
				if prev.StatusCode != 200 || prev.Doc.Find(`[data-testid="import-table"] td`).Length() == 0 {
					t.Fatalf("%s import preview: %d", lang, prev.StatusCode)
				}
				for _, problem := range tableLabelProblems(prev.Doc) {
					t.Errorf("%s import preview: %s", lang, problem)
				}
			}
		}
	}
}
