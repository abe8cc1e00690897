package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// About account › Audit log: the filtered, paged log of the signed-in
// user's own account and its CSV export. QueryAudit authorizes (user admins
// only) and scopes every query to the account.

const (
	// maxAuditActorLen bounds the actor filter.
	maxAuditActorLen = 100
	// maxAuditExportRows bounds one CSV export.
	maxAuditExportRows = 100_000
	// maxAuditValueLen shortens long values in the table's change column.
	maxAuditValueLen = 160
)

// parseAuditFilter reads the filter form (a GET query) into the service's
// filter and the form as entered; dates are whole days in loc. A malformed
// date, or From after To, is an error in the form (FromError, ToError).
func parseAuditFilter(ctx context.Context, q url.Values, loc *time.Location) (tenantdesk.AuditFilter, account.AuditFilterForm) {
	var f tenantdesk.AuditFilter
	var form account.AuditFilterForm
	if a := q.Get("action"); a != "" {
		for _, known := range tenantdesk.AuditActions {
			if a == known {
				f.Action, form.Action = a, a
			}
		}
	}
	form.Actor = strings.TrimSpace(q.Get("actor"))
	if utf8.RuneCountInString(form.Actor) > maxAuditActorLen {
		form.Actor = string([]rune(form.Actor)[:maxAuditActorLen])
	}
	f.Actor = form.Actor
	form.From, form.To = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if form.From != "" {
		if d, ok := parseExpiryDate(form.From, loc); !ok {
			form.FromError = view.T(ctx, "account.audit.error.date")
		} else {
			f.Since = d // the day's first instant (dayStart)
		}
	}
	if form.To != "" {
		if end, ok := parseEndOfDay(form.To, loc); !ok {
			form.ToError = view.T(ctx, "account.audit.error.date")
		} else {
			f.Until = *end // the whole "to" day
		}
	}
	// From after To matches nothing: say so at the fields rather than show
	// an empty log. The same day twice is that one day.
	if form.FromError == "" && form.ToError == "" && !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		form.ToError = view.T(ctx, "account.audit.error.range", map[string]any{"From": form.From})
		form.FromInvalid = true
	}
	switch q.Get("licensed") {
	case "1", "on", "true":
		f.LicensedOnly, form.Licensed = true, true
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	return f, form
}

// auditURL is path with the filter form's values and, when given, the cursor.
func auditURL(path string, form account.AuditFilterForm, before int64) string {
	q := url.Values{}
	if form.Action != "" {
		q.Set("action", form.Action)
	}
	if form.Actor != "" {
		q.Set("actor", form.Actor)
	}
	if form.From != "" && form.FromError == "" {
		q.Set("from", form.From)
	}
	if form.To != "" && form.ToError == "" {
		q.Set("to", form.To)
	}
	if form.Licensed {
		q.Set("licensed", "1")
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// handleAccountAudit shows one page of the audit log: the whole page, or
// only the results for an htmx filter or page change.
func (s *Server) handleAccountAudit(c echo.Context) error {
	ctx := c.Request().Context()
	acc := c.Get(ctxAccount).(*tenantdesk.Account)
	loc := view.From(ctx).Location
	f, form := parseAuditFilter(ctx, c.QueryParams(), loc)
	v := account.AuditView{
		Account:       acc,
		Access:        accountAccess(ctx, acc),
		Filter:        form,
		ExportURL:     auditURL("/account/audit.csv", form, 0),
		Filtered:      f.Action != "" || f.Actor != "" || !f.Since.IsZero() || !f.Until.IsZero() || f.LicensedOnly,
		InvalidFilter: form.FromError != "" || form.ToError != "",
	}
	for _, a := range tenantdesk.AuditActions {
		v.Actions = append(v.Actions, account.AuditOption{Value: a, Label: auditActionLabel(ctx, a)})
	}
	if v.InvalidFilter {
		// The errors are shown at the fields; a query without the bad
		// date would show entries the person did not ask for.
		return s.renderAudit(c, v)
	}
	f.Limit = tenantdesk.AuditPageSize
	page, err := s.svc.AuditLog.QueryAudit(ctx, acc.ID, f)
	if err != nil {
		return err
	}
	for _, e := range page.Entries {
		before, actor, after := auditActorParts(ctx, e, acc.Name)
		on := ""
		if e.OnAccountName != "" {
			on = view.T(ctx, "audit.in_account", map[string]any{"Account": e.OnAccountName})
		}
		v.Rows = append(v.Rows, account.AuditRow{
			ID:           strconv.FormatInt(e.ID, 10),
			When:         view.FormatTime(ctx, e.CreatedAt),
			WhenISO:      e.CreatedAt.In(loc).Format(time.RFC3339),
			Actor:        actor,
			ActorBefore:  before,
			ActorAfter:   after,
			OnAccount:    on,
			Impersonator: auditActorName(ctx, e.ImpersonatorUserID, e.ImpersonatorName),
			Action:       e.Action,
			ActionLabel:  auditActionLabel(ctx, e.Action),
			Target:       auditTarget(ctx, e),
			Changes:      auditChanges(ctx, e.Before, e.After),
			IP:           e.IP,
			Licensed:     e.Licensed,
		})
	}
	if page.Next > 0 {
		v.OlderURL = auditURL("/account/audit", form, page.Next)
	}
	if f.Before > 0 {
		v.NewestURL = auditURL("/account/audit", form, 0)
	}
	return s.renderAudit(c, v)
}

// renderAudit renders the Audit log tab, or for htmx only its results and
// the date fields (which show or clear a date error).
func (s *Server) renderAudit(c echo.Context, v account.AuditView) error {
	if isHTMX(c) {
		return render(c, http.StatusOK, account.AuditFilterResults(v))
	}
	return render(c, http.StatusOK, account.Audit(v))
}

// auditActionLabel translates an action key ("audit.action.<key>"), or
// shows the key itself for actions without a translation.
func auditActionLabel(ctx context.Context, action string) string {
	id := "audit.action." + action
	if label := view.T(ctx, id); label != id {
		return label
	}
	return action
}

// auditTarget names an entry's target: its name when the entry was
// written, else (entries of targets gone before names were kept) its type
// and ID.
func auditTarget(ctx context.Context, e *tenantdesk.AuditEntry) string {
	if e.TargetType == "" {
		return ""
	}
	if e.TargetName != "" {
		return e.TargetName
	}
	typ := e.TargetType
	if id := "account.audit.target." + e.TargetType; view.T(ctx, id) != id {
		typ = view.T(ctx, id)
	}
	return strings.TrimSpace(typ + " " + e.TargetID)
}

// auditActorName is an entry's actor (or impersonator) as the reader
// reads it: the platform operator's stored name translated, anyone else's
// name as it was when they acted.
func auditActorName(ctx context.Context, userID int64, name string) string {
	if userID == 0 && name == tenantdesk.AuditOperatorName {
		return view.T(ctx, "account.audit.actor.operator")
	}
	return name
}

// auditNameMark stands for the actor's name in a translated sentence
// about them, so that the name can be marked up apart from the words
// around it (a private-use character: never in a translation).
const auditNameMark = "\uE000"

// auditActorParts is an entry's actor as the reader reads it, split
// around the name: "Caroline Bingley (Classics, Inc.) impersonating in
// support mode" when they acted through a grant (audit.impersonating; in
// the partner's own copy the partner is the log's account, own),
// "Tom Sawyer (Tom Sawyer Fence Painting Co.)" when they belong to
// another account (audit.acting_for), else the name alone.
func auditActorParts(ctx context.Context, e *tenantdesk.AuditEntry, own string) (before, name, after string) {
	name = auditActorName(ctx, e.ActorUserID, e.ActorName)
	var full string
	switch {
	case e.ImpersonationMode != "":
		partner := e.ActorAccountName
		if partner == "" {
			partner = own
		}
		full = view.T(ctx, "audit.impersonating", map[string]any{"Name": auditNameMark, "Partner": partner, "Mode": auditModes(ctx, e.ImpersonationMode)})
	case e.ActorAccountName != "":
		full = view.T(ctx, "audit.acting_for", map[string]any{"Name": auditNameMark, "Account": e.ActorAccountName})
	default:
		return "", name, ""
	}
	before, after, ok := strings.Cut(full, auditNameMark)
	if !ok { // a translation without the name: the name, then the sentence
		return "", name, " — " + full
	}
	return before, name, after
}

// auditModes translates an impersonation mode, or the modes of an API
// grant joined with "+" ("support+configure"), each in the reader's words.
func auditModes(ctx context.Context, modes string) string {
	parts := strings.Split(modes, "+")
	for i, m := range parts {
		id := "access.mode." + m
		if t := view.T(ctx, id); t != id {
			parts[i] = t
		}
	}
	return strings.Join(parts, " + ")
}

// auditChanges turns an entry's before/after JSON objects into the keys
// that differ: "before → after" for changed values, "+added −removed" for
// changed lists, and only "after" when there was no before.
func auditChanges(ctx context.Context, beforeJSON, afterJSON string) []account.AuditChange {
	before, after := decodeAuditJSON(beforeJSON), decodeAuditJSON(afterJSON)
	if before == nil && after == nil {
		return nil
	}
	keys := make([]string, 0, len(before)+len(after))
	for k := range after {
		keys = append(keys, k)
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	empty := view.T(ctx, "core.empty_value") // the words of components.EmptyValue
	var out []account.AuditChange
	for _, k := range keys {
		b, inBefore := before[k]
		a := after[k]
		if before == nil {
			ch := account.AuditChange{Key: k, After: orEmpty(auditValue(ctx, k, a), empty)}
			ch.AfterISO = auditTimeISO(ctx, k, a)
			out = append(out, ch)
			continue
		}
		if inBefore && reflect.DeepEqual(a, b) {
			continue
		}
		if bl, ok := stringList(b); ok {
			if al, ok := stringList(a); ok {
				out = append(out, account.AuditChange{Key: k, After: orEmpty(listDiff(auditValues(ctx, k, bl), auditValues(ctx, k, al)), empty)})
				continue
			}
		}
		out = append(out, account.AuditChange{Key: k, Before: orEmpty(auditValue(ctx, k, b), empty), After: orEmpty(auditValue(ctx, k, a), empty),
			BeforeISO: auditTimeISO(ctx, k, b), AfterISO: auditTimeISO(ctx, k, a)})
	}
	return out
}

func decodeAuditJSON(s string) map[string]any {
	if s == "" {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// auditValue shows one JSON value of key compactly, shortened when long,
// in the reader's words: a time in their zone, a yes or no, and a known
// value of key (a status, a reason) translated. The log stores the stable
// machine values; what else it holds (names, addresses) shows as it is.
func auditValue(ctx context.Context, key string, v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		if v {
			return view.T(ctx, "account.audit.value.true")
		}
		return view.T(ctx, "account.audit.value.false")
	case string:
		s = v
		if t, ok := auditTime(key, v); ok {
			return view.FormatTime(ctx, t)
		}
		if legacy, ok := auditLegacyValues[key][v]; ok {
			v = legacy
		}
		vk := key
		if alias, ok := auditValueKeyAliases[key]; ok {
			vk = alias
		}
		if id := "account.audit.value." + vk + "." + v; view.T(ctx, id) != id {
			s = view.T(ctx, id)
		}
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, auditValue(ctx, key, x))
		}
		s = strings.Join(parts, ", ")
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if utf8.RuneCountInString(s) > maxAuditValueLen {
		s = string([]rune(s)[:maxAuditValueLen-1]) + "…"
	}
	return s
}

// auditLegacyValues are the values the services store as English sentences
// rather than keys (by key), with the key their translation is found by
// ("account.audit.value.<key>.<value>").
var auditLegacyValues = map[string]map[string]string{
	"reason": {
		"first supervisorl3 or higher in the account": "first_live_supervisor",
		"role customer.user.uc.softphone removed":     "softphone_role_removed",
	},
}

// auditValueKeyAliases are keys whose values are translated with another
// key's messages: the modes of an access request (a list) as the mode of
// an impersonation.
var auditValueKeyAliases = map[string]string{
	"modes": "mode",
}

// auditTime reads v as the time it is when key names a time ("at",
// "expiresAt") and v is RFC 3339, as the services write times.
func auditTime(key string, v string) (time.Time, bool) {
	if key != "at" && !strings.HasSuffix(key, "At") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}

// auditTimeISO is v in RFC 3339 with the reader's offset, for <time
// datetime>, when v is a time (see auditTime), else "".
func auditTimeISO(ctx context.Context, key string, v any) string {
	s, _ := v.(string)
	if t, ok := auditTime(key, s); ok {
		return t.In(view.From(ctx).Location).Format(time.RFC3339)
	}
	return ""
}

func orEmpty(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}

// stringList returns v as a list of strings when it is a JSON array of strings.
func stringList(v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, v == nil
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// auditValues is each of list as auditValue shows it.
func auditValues(ctx context.Context, key string, list []string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = auditValue(ctx, key, v)
	}
	return out
}

// listDiff is "+added −removed" between two lists.
func listDiff(before, after []string) string {
	had := map[string]bool{}
	for _, s := range before {
		had[s] = true
	}
	has := map[string]bool{}
	var parts []string
	for _, s := range after {
		has[s] = true
		if !had[s] {
			parts = append(parts, "+"+s)
		}
	}
	for _, s := range before {
		if !has[s] {
			parts = append(parts, "−"+s)
		}
	}
	return strings.Join(parts, ", ")
}

// handleAccountAuditCSV exports the filtered audit log as CSV (RFC 4180),
// newest first: times in RFC 3339 UTC and in the viewer's zone. Cells that
// a spreadsheet would run as a formula are defused with a leading quote.
func (s *Server) handleAccountAuditCSV(c echo.Context) error {
	ctx := c.Request().Context()
	acc := c.Get(ctxAccount).(*tenantdesk.Account)
	loc := view.From(ctx).Location
	f, form := parseAuditFilter(ctx, c.QueryParams(), loc)
	if form.FromError != "" || form.ToError != "" {
		// The page never links here with a bad filter (no export link).
		return tenantdesk.Errorf(tenantdesk.EINVALID, "Invalid date or date range.")
	}
	f.Limit = tenantdesk.MaxAuditPageSize
	// The first page is read before anything is written, so a refusal
	// (403, 404) is still a clean error page.
	page, err := s.svc.AuditLog.QueryAudit(ctx, acc.ID, f)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("audit-%s-%s.csv", acc.TenantID, s.now().In(loc).Format("20060102"))
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)

	w := csv.NewWriter(c.Response())
	w.UseCRLF = true // RFC 4180
	yes, no := view.T(ctx, "account.audit.csv.yes"), view.T(ctx, "account.audit.csv.no")
	// Both time columns stay for every viewer, a UTC one too ("Time (UTC)"
	// and "Local time (UTC)"): a spreadsheet user's formulas, imports and
	// macros address columns by position, so an export must have the same
	// columns in the same order whoever made it and whatever their zone.
	// The second is named "local time" with the zone, so no two headers are
	// the same (a header used twice breaks lookups by name and imports).
	header := []string{
		view.T(ctx, "account.audit.csv.id"),
		view.T(ctx, "account.audit.csv.time_utc"),
		view.T(ctx, "account.audit.csv.time_local", map[string]any{"Zone": loc.String()}),
		view.T(ctx, "account.audit.csv.actor"),
		view.T(ctx, "account.audit.csv.impersonator"),
		view.T(ctx, "account.audit.csv.action"),
		view.T(ctx, "account.audit.csv.action_label"),
		view.T(ctx, "account.audit.csv.target_type"),
		view.T(ctx, "account.audit.csv.target_id"),
		view.T(ctx, "account.audit.csv.target"),
		view.T(ctx, "account.audit.csv.before"),
		view.T(ctx, "account.audit.csv.after"),
		view.T(ctx, "account.audit.csv.billable"),
		view.T(ctx, "account.audit.csv.ip"),
		// Added with access requests (SPEC §4), at the end so that the
		// columns before keep their places.
		view.T(ctx, "access_customer.audit.csv.actor_account"),
		view.T(ctx, "access_customer.audit.csv.impersonation_mode"),
		view.T(ctx, "access_customer.audit.csv.on_account"),
	}
	if err := w.Write(csvRow(header)); err != nil {
		return nil // the client went away; the status is already sent
	}
	rows := 0
	for {
		for _, e := range page.Entries {
			billable := no
			if e.Licensed {
				billable = yes
			}
			if err := w.Write(csvRow([]string{
				strconv.FormatInt(e.ID, 10),
				e.CreatedAt.UTC().Format(time.RFC3339),
				e.CreatedAt.In(loc).Format(time.RFC3339),
				e.ActorName, e.ImpersonatorName, e.Action, auditActionLabel(ctx, e.Action),
				e.TargetType, e.TargetID, e.TargetName, e.Before, e.After, billable, e.IP,
				e.ActorAccountName, e.ImpersonationMode, e.OnAccountName,
			})); err != nil {
				return nil
			}
			rows++
		}
		if page.Next == 0 || rows >= maxAuditExportRows {
			break
		}
		f.Before = page.Next
		if page, err = s.svc.AuditLog.QueryAudit(ctx, acc.ID, f); err != nil {
			s.log.Error("audit export", "request_id", h.Get(echo.HeaderXRequestID), "error", err.Error())
			break
		}
	}
	w.Flush()
	return nil
}

// csvRow defuses every cell of a row (see csvCell).
func csvRow(cells []string) []string {
	for i, v := range cells {
		cells[i] = csvCell(v)
	}
	return cells
}

// csvCell prefixes a cell that starts like a spreadsheet formula (= + - @,
// or a tab or carriage return that some programs skip before one) with a
// single quote, so opening the export never runs what a user typed
// (OWASP "CSV injection"). encoding/csv does the RFC 4180 quoting.
func csvCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + v
	}
	return v
}
