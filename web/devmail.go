package web

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/templates/pages/devmail"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// devMailLimit is how many of the newest messages the demo mailbox shows.
const devMailLimit = 100

// handleDevMail is the demo mailbox: every email the portal queued, newest
// first, with its links clickable, so a newcomer can follow an activation
// link without a mail server. The route exists only with Config.DevMailbox.
func (s *Server) handleDevMail(c echo.Context) error {
	ctx := c.Request().Context()
	msgs, err := s.svc.Mailbox.ListMail(ctx, devMailLimit)
	if err != nil {
		return err
	}
	v := devmail.View{}
	for _, m := range msgs {
		dm := devmail.Message{
			ID: m.ID, To: m.To, Subject: m.Subject, Kind: mailKindName(c, m.Kind),
			Queued: view.FormatTime(ctx, m.CreatedAt), Body: linkify(m.BodyText), Error: m.LastError,
		}
		switch {
		case !m.SentAt.IsZero():
			dm.Status, dm.StatusText = devmail.StatusSent, view.T(ctx, "devmail.status.sent")
			dm.StatusTitle = view.FormatTime(ctx, m.SentAt)
		case !m.FailedAt.IsZero():
			dm.Status, dm.StatusText = devmail.StatusFailed, view.T(ctx, "devmail.status.failed")
		default:
			dm.Status, dm.StatusText = devmail.StatusQueued, view.T(ctx, "devmail.status.queued")
		}
		v.Messages = append(v.Messages, dm)
	}
	return render(c, http.StatusOK, devmail.Mailbox(v))
}

// mailKindName translates a mail kind ("devmail.kind.<kind>"; a test keeps
// every kind of internal/mail labelled); an unknown kind shows as it is.
func mailKindName(c echo.Context, kind string) string {
	if label := view.T(c.Request().Context(), "devmail.kind."+kind); label != "devmail.kind."+kind {
		return label
	}
	return kind
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// linkify splits a plain-text body into text and http(s) links, so the
// template can make the links clickable without ever emitting raw HTML.
func linkify(body string) []devmail.Segment {
	var out []devmail.Segment
	last := 0
	for _, loc := range urlPattern.FindAllStringIndex(body, -1) {
		start, end := loc[0], loc[1]
		// A sentence's full stop or closing bracket is not part of the link.
		for end > start && strings.ContainsRune(".,;:!?)]", rune(body[end-1])) {
			end--
		}
		if start > last {
			out = append(out, devmail.Segment{Text: body[last:start]})
		}
		out = append(out, devmail.Segment{Text: body[start:end], URL: body[start:end]})
		last = end
	}
	if last < len(body) {
		out = append(out, devmail.Segment{Text: body[last:]})
	}
	return out
}
