package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// roleArgs are the template data names that hold role keys in domain
// errors; they are shown as "Name (key)" in the reader's language.
var roleArgs = []string{"Role", "Prerequisite", "Other"}

// errorText translates a domain error for a person: its Key with role keys
// turned into translated names, or its English message.
func errorText(ctx context.Context, err error) string {
	de := tenantdesk.AsError(err)
	if de == nil {
		return view.T(ctx, "error.500.message")
	}
	return translated(ctx, de.Key, de.Message, de.Args)
}

// translated is key with args (role keys turned into translated names) in
// the reader's language, or the English message when there is no key.
func translated(ctx context.Context, key, message string, data map[string]any) string {
	if key == "" {
		return message
	}
	args := map[string]any{}
	for k, v := range data {
		args[k] = v
	}
	for _, name := range roleArgs {
		if key, ok := args[name].(string); ok {
			args[name] = roleLabel(ctx, key)
		}
	}
	return view.T(ctx, key, args)
}

// roleLabel is "“Translated name” (key)" for a catalogue role, or the key alone.
func roleLabel(ctx context.Context, key string) string {
	if tenantdesk.LookupRole(key) == nil {
		return "“" + key + "”"
	}
	return "“" + view.T(ctx, "role."+key+".name") + "” (" + key + ")"
}

// fieldProblem is one translated field error of a domain error.
type fieldProblem struct {
	Field   string
	Message string
}

// fieldProblems translates every field error of a domain error, in order
// (a field may have several, as the roles do).
func fieldProblems(ctx context.Context, err error) []fieldProblem {
	de := tenantdesk.AsError(err)
	if de == nil {
		return nil
	}
	out := make([]fieldProblem, 0, len(de.Fields))
	for _, f := range de.Fields {
		out = append(out, fieldProblem{Field: f.Field, Message: translated(ctx, f.Key, f.Message, f.Args)})
	}
	return out
}

// fieldErrors translates a domain error's field errors, by field name (the
// first one of each field).
func fieldErrors(ctx context.Context, err error) map[string]string {
	ps := fieldProblems(ctx, err)
	if len(ps) == 0 {
		return nil
	}
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		if _, dup := out[p.Field]; !dup {
			out[p.Field] = p.Message
		}
	}
	return out
}

// flash queues a message for the next page (post/redirect/get).
func (s *Server) flash(c echo.Context, msg string) error {
	sess, ok := c.Get(ctxSession).(*sessions.Session)
	if !ok || sess.ID == "" {
		return nil
	}
	sess.AddFlash(msg)
	return sess.Save(c.Request(), c.Response())
}

// takeFlashes returns and clears the queued messages.
func (s *Server) takeFlashes(c echo.Context) []string {
	sess, ok := c.Get(ctxSession).(*sessions.Session)
	if !ok || sess.ID == "" {
		return nil
	}
	fl := sess.Flashes()
	if len(fl) == 0 {
		return nil
	}
	_ = sess.Save(c.Request(), c.Response())
	out := make([]string, 0, len(fl))
	for _, f := range fl {
		if m, ok := f.(string); ok {
			out = append(out, m)
		}
	}
	return out
}

// joinNames joins names for a sentence.
func joinNames(names []string) string { return strings.Join(names, ", ") }

// throttledText answers a throttled request (ETHROTTLED): it sets the
// Retry-After header and returns the message id, a plural message of the
// minutes to wait (rounded up), in the request's language.
func throttledText(c echo.Context, id string, de *tenantdesk.Error) string {
	c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetryAfterSeconds))
	return view.N(c.Request().Context(), id, (de.RetryAfterSeconds+59)/60)
}
