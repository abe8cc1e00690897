package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/mileusna/useragent"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/profile"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// My profile › Active sessions. Sessions are named by their public handle;
// the service ends only the actor's own sessions.

// maxUserAgentLen bounds the user agent kept with a session.
const maxUserAgentLen = 512

// sessionClientInfo is the client IP (through the trusted proxies) and
// user agent recorded with a new session.
func (s *Server) sessionClientInfo(r *http.Request) (string, string) {
	ua := strings.ToValidUTF8(r.UserAgent(), "")
	if len(ua) > maxUserAgentLen {
		ua = ua[:maxUserAgentLen]
		for !utf8.ValidString(ua) {
			ua = ua[:len(ua)-1]
		}
	}
	return s.echo.IPExtractor(r), ua
}

// deviceName says which browser on which system a user agent is, in words:
// "Firefox 120 on Windows 10"; "Unknown device" when it says nothing.
func deviceName(ctx context.Context, ua string) string {
	if strings.TrimSpace(ua) == "" {
		return view.T(ctx, "profile.sessions.unknown_device")
	}
	p := useragent.Parse(ua)
	browser := p.Name
	if browser != "" && p.VersionNo.Major > 0 {
		browser += " " + strconv.Itoa(p.VersionNo.Major)
	}
	os := strings.TrimSpace(p.OS + " " + p.OSVersion)
	switch {
	case browser != "" && os != "":
		return view.T(ctx, "profile.sessions.browser_on_os", map[string]any{"Browser": browser, "OS": os})
	case browser != "":
		return browser
	case os != "":
		return os
	}
	return view.T(ctx, "profile.sessions.unknown_device")
}

func (s *Server) sessionsView(c echo.Context) (profile.SessionsView, error) {
	ctx := c.Request().Context()
	list, err := s.svc.Profile.ListSessions(ctx)
	if err != nil {
		return profile.SessionsView{}, err
	}
	var v profile.SessionsView
	for _, si := range list {
		v.Sessions = append(v.Sessions, profile.SessionRow{SessionInfo: si, Device: deviceName(ctx, si.UserAgent)})
		if !si.Current {
			v.Others++
		}
	}
	return v, nil
}

func (s *Server) handleProfileSessions(c echo.Context) error {
	v, err := s.sessionsView(c)
	if err != nil {
		return err
	}
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, profile.Sessions(v))
}

// sessionGone answers for a session that is not (or no longer) one of the
// user's: it had ended, or the handle names nothing of theirs. A flash, back
// to the list; no password is asked for, and none is counted.
func (s *Server) sessionGone(c echo.Context) error {
	if err := s.flash(c, view.T(c.Request().Context(), "profile.sessions.already_ended")); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/sessions")
}

// handleConfirmEndSession asks for the current password before signing out
// one other session (ASVS 5.0 7.5.2). The current session has no such page:
// the top bar's Sign out ends it in one click.
func (s *Server) handleConfirmEndSession(c echo.Context) error {
	ctx := c.Request().Context()
	si, err := s.svc.Profile.FindSession(ctx, c.Param("handle"))
	switch {
	case tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND:
		return s.sessionGone(c)
	case err != nil:
		return err
	case si.Current:
		return c.Redirect(http.StatusSeeOther, "/profile/sessions")
	}
	row := profile.SessionRow{SessionInfo: si, Device: deviceName(ctx, si.UserAgent)}
	return render(c, http.StatusOK, profile.ConfirmEndSession(profile.ConfirmSessionsView{Session: &row}))
}

// handleEndSession signs out one other session once the current password
// is right; a wrong one brings the confirmation back with the field's
// error and ends nothing.
func (s *Server) handleEndSession(c echo.Context) error {
	ctx := c.Request().Context()
	handle := c.Param("handle")
	err := s.svc.Profile.EndSession(ctx, handle, c.FormValue("currentPassword"))
	switch {
	case tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND:
		return s.sessionGone(c)
	case isProfileFormError(err) && len(fieldErrors(ctx, err)) == 0 && tenantdesk.ErrorCode(err) == tenantdesk.EINVALID:
		// The current session: it is not ended from the list.
		v, verr := s.sessionsView(c)
		if verr != nil {
			return verr
		}
		v.Error = errorText(ctx, err)
		return render(c, http.StatusOK, profile.Sessions(v))
	case isProfileFormError(err):
		si, ferr := s.svc.Profile.FindSession(ctx, handle)
		if tenantdesk.ErrorCode(ferr) == tenantdesk.ENOTFOUND {
			return s.sessionGone(c)
		} else if ferr != nil {
			return ferr
		}
		row := profile.SessionRow{SessionInfo: si, Device: deviceName(ctx, si.UserAgent)}
		return render(c, formStatus(c, err), profile.ConfirmEndSession(profile.ConfirmSessionsView{Session: &row, Form: profileForm(ctx, err, nil)}))
	case err != nil:
		return err
	}
	if err := s.flash(c, view.T(ctx, "profile.sessions.ended")); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/sessions")
}

func (s *Server) handleConfirmEndOthers(c echo.Context) error {
	v, err := s.sessionsView(c)
	if err != nil {
		return err
	}
	if v.Others == 0 {
		return c.Redirect(http.StatusSeeOther, "/profile/sessions")
	}
	return render(c, http.StatusOK, profile.ConfirmEndOthers(profile.ConfirmSessionsView{Others: v.Others}))
}

// handleEndOtherSessions signs out every other session once the current
// password is right; a wrong one brings the confirmation back.
func (s *Server) handleEndOtherSessions(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := s.svc.Profile.EndOtherSessions(ctx, c.FormValue("currentPassword"))
	if isProfileFormError(err) {
		v, verr := s.sessionsView(c)
		if verr != nil {
			return verr
		}
		return render(c, formStatus(c, err), profile.ConfirmEndOthers(profile.ConfirmSessionsView{Others: v.Others, Form: profileForm(ctx, err, nil)}))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.N(ctx, "profile.sessions.others_ended", n)); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/sessions")
}
