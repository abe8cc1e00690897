package web

import (
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/home"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// handleHome shows who is signed in and in which account.
func (s *Server) handleHome(c echo.Context) error {
	ctx := c.Request().Context()
	u := c.Get(ctxUser).(*tenantdesk.User)
	v := home.HomeView{User: u, Account: c.Get(ctxAccount).(*tenantdesk.Account)}
	if sess, ok := c.Get(ctxSession).(*sessions.Session); ok {
		if at, ok := sess.Values[sessionSignedInAt].(int64); ok {
			v.SignedIn = view.FormatTime(ctx, time.UnixMilli(at))
		}
	}
	for _, r := range u.Roles {
		v.RoleNames = append(v.RoleNames, view.T(ctx, "role."+r+".name"))
	}
	return render(c, http.StatusOK, home.Home(v))
}
