// Package view carries what every template needs from the request — the
// translator, the CSRF token, the signed-in user and account, the time zone —
// through the context, so templ components take only their own view model.
// The web package fills it in middleware; templates only read it.
package view

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Translator translates message IDs (internal/i18n.Localizer implements it).
type Translator interface {
	T(id string, data ...map[string]any) string
	N(id string, count int, data ...map[string]any) string
	Lang() string
}

// Request is the per-request view state.
type Request struct {
	Tr        Translator
	CSRF      string
	User      *tenantdesk.User    // nil when signed out
	Account   *tenantdesk.Account // nil when signed out
	Location  *time.Location
	Path      string
	RequestID string
	// Impersonation is set while a partner user works inside the customer
	// Account (the banner names it); nil otherwise.
	Impersonation *tenantdesk.Impersonation
	// Now is when the request is served (the banner's time left).
	Now time.Time
	// AssetVersion is appended to static URLs so browsers cache them forever
	// and fetch anew after an upgrade.
	AssetVersion string
}

type key struct{}

// With returns ctx carrying r.
func With(ctx context.Context, r *Request) context.Context { return context.WithValue(ctx, key{}, r) }

// From returns the request's view state; a bare default when none was set
// (error pages rendered before the middleware ran).
func From(ctx context.Context) *Request {
	if r, ok := ctx.Value(key{}).(*Request); ok && r != nil {
		return r
	}
	return &Request{Tr: idTranslator{}, Location: time.UTC}
}

// T translates id in the request's language.
func T(ctx context.Context, id string, data ...map[string]any) string {
	return From(ctx).Tr.T(id, data...)
}

// N translates id with plural forms for count.
func N(ctx context.Context, id string, count int, data ...map[string]any) string {
	return From(ctx).Tr.N(id, count, data...)
}

// Lang returns the request's language tag.
func Lang(ctx context.Context) string { return From(ctx).Tr.Lang() }

// Asset returns the URL of a static file with the cache-busting version.
func Asset(ctx context.Context, name string) string {
	return "/static/" + name + "?v=" + From(ctx).AssetVersion
}

// HxHeaders returns the hx-headers JSON that sends the CSRF token with every
// HTMX request.
func HxHeaders(ctx context.Context) string {
	token, _ := json.Marshal(From(ctx).CSRF)
	return `{"X-CSRF-Token":` + string(token) + `}`
}

// FormatTime formats t in the viewer's time zone, with the zone's abbreviation.
func FormatTime(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(From(ctx).Location).Format("2006-01-02 15:04 MST")
}

// idTranslator shows message IDs; used only before middleware ran.
type idTranslator struct{}

func (idTranslator) T(id string, _ ...map[string]any) string        { return id }
func (idTranslator) N(id string, _ int, _ ...map[string]any) string { return id }
func (idTranslator) Lang() string                                   { return "en" }

// Has reports whether ctx carries view state.
func Has(ctx context.Context) bool {
	_, ok := ctx.Value(key{}).(*Request)
	return ok
}
