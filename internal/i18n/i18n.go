// Package i18n translates every user-visible string through go-i18n message
// files embedded from locales/. English is the source language; a test keeps
// every shipped language complete.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Each language has a folder of message files, one per area of the portal
// (core.json, users.json …), so work on different areas never edits the same file.
//
//go:embed locales
var localesFS embed.FS

// Language is one shipped interface language.
type Language struct {
	Tag  string // BCP 47, e.g. "en"
	Name string // the language's own name, e.g. "Русский"
}

// Languages lists the shipped languages in the order offered to people.
var Languages = []Language{
	{Tag: "en", Name: "English"},
	{Tag: "de", Name: "Deutsch"},
	{Tag: "fr", Name: "Français"},
	{Tag: "pt", Name: "Português"},
	{Tag: "ru", Name: "Русский"},
}

// Bundle holds every language's messages.
type Bundle struct {
	b       *i18n.Bundle
	matcher language.Matcher
	locs    map[string]*Localizer
}

// New loads the embedded message files.
func New() (*Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := make([]language.Tag, 0, len(Languages))
	for _, l := range Languages {
		files, err := fs.Glob(localesFS, path.Join("locales", l.Tag, "*.json"))
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("i18n: no message files for %s", l.Tag)
		}
		for _, f := range files {
			data, err := localesFS.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", f, err)
			}
			// go-i18n takes the language from the file name: name it "<area>.<lang>.json".
			if _, err := b.ParseMessageFileBytes(data, strings.TrimSuffix(path.Base(f), ".json")+"."+l.Tag+".json"); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", f, err)
			}
		}
		tags = append(tags, language.Make(l.Tag))
	}
	bundle := &Bundle{b: b, matcher: language.NewMatcher(tags), locs: map[string]*Localizer{}}
	for _, l := range Languages {
		bundle.locs[l.Tag] = &Localizer{lang: l.Tag, l: i18n.NewLocalizer(b, l.Tag, "en")}
	}
	return bundle, nil
}

// Match returns the shipped language for a user's saved preference, else
// the best match of an Accept-Language header, else English.
func (b *Bundle) Match(preferred, acceptLanguage string) string {
	if _, ok := b.locs[preferred]; ok {
		return preferred
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, idx, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return Languages[idx].Tag
}

// Localizer returns the localizer of a shipped language (English for any other).
func (b *Bundle) Localizer(lang string) *Localizer {
	if l, ok := b.locs[lang]; ok {
		return l
	}
	return b.locs["en"]
}

// Localizer translates messages into one language.
type Localizer struct {
	lang string
	l    *i18n.Localizer
	// plain memoizes messages without template data: go-i18n matches the
	// language and runs the template on every call, and a page of users
	// asks for the same role names hundreds of times.
	plain sync.Map // id -> string
}

// Lang returns the localizer's language tag.
func (l *Localizer) Lang() string { return l.lang }

// T translates message id with optional template data. A missing message
// shows its id (and the completeness test fails), never an empty string.
func (l *Localizer) T(id string, data ...map[string]any) string {
	if len(data) == 0 || len(data[0]) == 0 {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
		s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id})
		if err != nil {
			return id // not memoized: a missing message stays visible and cheap enough
		}
		l.plain.Store(id, s)
		return s
	}
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data[0]})
	if err != nil {
		return id
	}
	return s
}

// N translates a message with plural forms for count (also available as {{.Count}}).
func (l *Localizer) N(id string, count int, data ...map[string]any) string {
	td := map[string]any{"Count": count}
	if len(data) > 0 {
		for k, v := range data[0] {
			td[k] = v
		}
	}
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
	if err != nil {
		return id
	}
	return s
}

// MessageIDs returns the message IDs of a shipped language's files, for the
// completeness test. It fails on an ID defined twice.
func MessageIDs(lang string) (map[string]bool, error) {
	files, err := fs.Glob(localesFS, path.Join("locales", lang, "*.json"))
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, f := range files {
		data, err := fs.ReadFile(localesFS, f)
		if err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := ids[k]; dup {
				return nil, fmt.Errorf("%s: message %q is defined twice", f, k)
			}
			ids[k] = strings.TrimSpace(string(v)) != `""` // an empty translation counts as missing
		}
	}
	for k, ok := range ids {
		if !ok {
			delete(ids, k)
		}
	}
	return ids, nil
}
