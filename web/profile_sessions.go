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

func (s *Server) handleEndSession(c echo.Context) error {
	ctx := c.Request().Context()
	err := s.svc.Profile.EndSession(ctx, c.Param("handle"))
	switch {
	case tenantdesk.ErrorCode(err) == tenantdesk.EINVALID:
		v, verr := s.sessionsView(c)
		if verr != nil {
			return verr
		}
		v.Error = errorText(ctx, err)
		return render(c, http.StatusOK, profile.Sessions(v))
	case tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND:
		// Already gone (signed out there, or expired): say so, no error page.
		if err := s.flash(c, view.T(ctx, "profile.sessions.already_ended")); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := s.flash(c, view.T(ctx, "profile.sessions.ended")); err != nil {
			return err
		}
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
	return render(c, http.StatusOK, profile.ConfirmEndOthers(v.Others))
}

func (s *Server) handleEndOtherSessions(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := s.svc.Profile.EndOtherSessions(ctx)
	if err != nil {
		return err
	}
	if err := s.flash(c, view.N(ctx, "profile.sessions.others_ended", n)); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/sessions")
}
