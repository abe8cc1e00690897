package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// About account: the General information and Licenses tabs of the
// signed-in user's own account. The services authorize; handlers parse,
// call one service method and render.

// accountAccess decides, once per request, what the actor may do in acc
// as far as the About account pages show it: which tabs, links and forms
// appear. Templates only read it; every service checks again.
func accountAccess(ctx context.Context, acc *tenantdesk.Account) account.Access {
	actor := tenantdesk.ActorFrom(ctx)
	devices := tenantdesk.DeviceAccessTo(actor, acc)
	return account.Access{
		CanAdmin:            tenantdesk.AccessTo(actor, acc) >= tenantdesk.AccessUserAdmin,
		CanReadDevices:      devices >= tenantdesk.DeviceAccessRead,
		CanEditDevices:      devices >= tenantdesk.DeviceAccessAdmin,
		CanAssignSoftphones: tenantdesk.CanAssignSoftphones(actor, acc),
		CanRespond:          tenantdesk.CanRespond(actor, acc),
		CanReadSettings:     tenantdesk.CanReadSettings(actor, acc),
	}
}

// handleAccountGeneral shows General information to every member.
func (s *Server) handleAccountGeneral(c echo.Context) error {
	ctx := c.Request().Context()
	acc, err := s.svc.AccountInfo.GeneralInfo(ctx, c.Get(ctxAccount).(*tenantdesk.Account).ID)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, account.General(account.GeneralView{Account: acc, Access: accountAccess(ctx, acc)}))
}

// Group titles of the Licenses tab, by catalogue group.
var licenceGroupTitles = map[string]string{
	tenantdesk.GroupUserAccess: "account.licences.group.user_access",
	tenantdesk.GroupSupervisor: "account.licences.group.supervisor",
}

// handleAccountLicences shows, per licensed role, how many enabled users
// hold it (user admins only: the service answers 403 to other members).
func (s *Server) handleAccountLicences(c echo.Context) error {
	ctx := c.Request().Context()
	acc := c.Get(ctxAccount).(*tenantdesk.Account)
	counts, err := s.svc.AccountUsers.CountLicences(ctx, acc.ID)
	if err != nil {
		return err
	}
	v := account.LicencesView{Account: acc, Access: accountAccess(ctx, acc)}
	groups := map[string]int{} // group key -> index in v.Groups
	for _, lc := range counts {
		r := tenantdesk.LookupRole(lc.Role)
		if r == nil {
			continue
		}
		i, ok := groups[r.Group]
		if !ok {
			title := r.Group
			if id, ok := licenceGroupTitles[r.Group]; ok {
				title = view.T(ctx, id)
			}
			v.Groups = append(v.Groups, account.LicenceGroup{Key: r.Group, Title: title})
			i = len(v.Groups) - 1
			groups[r.Group] = i
		}
		v.Groups[i].Rows = append(v.Groups[i].Rows, account.LicenceRow{
			Key:         r.Key,
			Name:        view.T(ctx, "role."+r.Key+".name"),
			Description: view.T(ctx, "role."+r.Key+".description"),
			Users:       lc.Users,
		})
		v.Total += lc.Users
	}
	return render(c, http.StatusOK, account.Licences(v))
}
