package components

import "github.com/a-h/templ"

// hx are a pager link's htmx attributes (none without a Target).
func (p PagerProps) hx(url string) templ.OrderedAttributes {
	if p.Target == "" {
		return nil
	}
	a := templ.OrderedAttributes{templ.KV[string, any]("hx-get", url), templ.KV[string, any]("hx-target", p.Target)}
	if p.Select != "" {
		a = append(a, templ.KV[string, any]("hx-select", p.Select))
	}
	return append(a, templ.KV[string, any]("hx-swap", "outerHTML"), templ.KV[string, any]("hx-push-url", "true"))
}
