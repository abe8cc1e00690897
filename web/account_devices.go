package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// About account › Devices (the signed-in user's own account) and a user's
// softphones. The device service authorizes every call: device
// administrators manage, read-only device users look, user admins and
// device administrators assign softphones.

func (s *Server) handleDevices(c echo.Context) error {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	kind, after := c.QueryParam("kind"), c.QueryParam("after")
	page, err := s.svc.Devices.ListDevices(ctx, acc.ID, tenantdesk.DeviceFilter{Kind: kind, After: after})
	if tenantdesk.ErrorCode(err) == tenantdesk.EINVALID {
		// A stale or edited link: start again from the first page of all devices.
		return c.Redirect(http.StatusSeeOther, "/account/devices")
	} else if err != nil {
		return err
	}
	v := account.DevicesView{Account: acc, Access: accountAccess(ctx, acc), Devices: page.Devices, Kind: kind,
		Flash: s.takeFlashes(c)}
	if page.NextCursor != "" {
		v.NextURL = devicesURL(kind, page.NextCursor)
	}
	if after != "" {
		v.FirstURL = devicesURL(kind, "")
	}
	return render(c, http.StatusOK, account.Devices(v))
}

func devicesURL(kind, after string) string {
	vals := url.Values{}
	if kind != "" {
		vals.Set("kind", kind)
	}
	if after != "" {
		vals.Set("after", after)
	}
	if len(vals) == 0 {
		return "/account/devices"
	}
	return "/account/devices?" + vals.Encode()
}

func (s *Server) handleNewDevice(c echo.Context) error {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	if err := tenantdesk.AuthorizeDevices(tenantdesk.ActorFrom(ctx), acc, tenantdesk.DeviceAccessAdmin); err != nil {
		return err
	}
	return render(c, http.StatusOK, account.DeviceForm(account.DeviceFormView{Account: acc, Access: accountAccess(ctx, acc)}))
}

func deviceFormInput(c echo.Context) tenantdesk.DeviceInput {
	return tenantdesk.DeviceInput{Name: c.FormValue("name"), Kind: c.FormValue("kind"),
		Extension: c.FormValue("extension"), MacAddress: c.FormValue("macAddress")}
}

func (s *Server) handleCreateDevice(c echo.Context) error {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	in := deviceFormInput(c)
	d, err := s.svc.Devices.CreateDevice(ctx, acc.ID, in)
	if isUserError(err) {
		return render(c, http.StatusOK, account.DeviceForm(account.DeviceFormView{Account: acc, Access: accountAccess(ctx, acc),
			Name: in.Name, Kind: in.Kind, Extension: in.Extension, MacAddress: in.MacAddress,
			Error: errorText(ctx, err), FieldErrors: fieldErrors(ctx, err)}))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "devices.flash.created", map[string]any{"Name": d.Name})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/devices")
}

// deviceParam loads the device named in the URL from the current account.
func (s *Server) deviceParam(c echo.Context) (*tenantdesk.Device, error) {
	id, ok := tenantdesk.ParseDeviceID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	return s.svc.Devices.GetDevice(c.Request().Context(), currentAccount(c).ID, id)
}

// deviceForm is a device's page with its stored values.
func (s *Server) deviceForm(c echo.Context, d *tenantdesk.Device) (account.DeviceFormView, error) {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	v := account.DeviceFormView{Account: acc, Access: accountAccess(ctx, acc), Device: d, Name: d.Name, Kind: d.Kind,
		Extension: d.Extension, MacAddress: d.MacAddress}
	if v.CanAssignSoftphones && d.Kind == tenantdesk.DeviceSoftphone {
		holders, err := s.svc.Devices.SoftphoneHolders(ctx, acc.ID)
		if err != nil {
			return v, err
		}
		v.Holders = holders
	}
	return v, nil
}

func (s *Server) handleDevice(c echo.Context) error {
	d, err := s.deviceParam(c)
	if err != nil {
		return err
	}
	v, err := s.deviceForm(c, d)
	if err != nil {
		return err
	}
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, account.DeviceForm(v))
}

func (s *Server) handleUpdateDevice(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.deviceParam(c)
	if err != nil {
		return err
	}
	in := deviceFormInput(c)
	updated, err := s.svc.Devices.UpdateDevice(ctx, d.AccountID, d.ID, tenantdesk.DevicePatch{
		Name: &in.Name, Kind: &in.Kind, Extension: &in.Extension, MacAddress: &in.MacAddress})
	if isUserError(err) {
		v, ferr := s.deviceForm(c, d)
		if ferr != nil {
			return ferr
		}
		v.Name, v.Kind, v.Extension, v.MacAddress = in.Name, in.Kind, in.Extension, in.MacAddress
		v.Error, v.FieldErrors = errorText(ctx, err), fieldErrors(ctx, err)
		return render(c, http.StatusOK, account.DeviceForm(v))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "devices.flash.updated", map[string]any{"Name": updated.Name})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/devices/"+tenantdesk.FormatDeviceID(d.ID))
}

func (s *Server) handleAssignDevice(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.deviceParam(c)
	if err != nil {
		return err
	}
	// The user's public ID, or "" for nobody (releases the softphone).
	var userID int64
	if raw := c.FormValue("userId"); raw != "" {
		id, ok := tenantdesk.ParseUserID(raw)
		if !ok {
			return echo.ErrBadRequest
		}
		userID = id
	}
	updated, err := s.svc.Devices.AssignSoftphone(ctx, d.AccountID, d.ID, userID)
	if isUserError(err) {
		v, ferr := s.deviceForm(c, d)
		if ferr != nil {
			return ferr
		}
		v.AssignError = errorText(ctx, err)
		return render(c, http.StatusOK, account.DeviceForm(v))
	} else if err != nil {
		return err
	}
	msg := view.T(ctx, "devices.flash.released", map[string]any{"Name": updated.Name})
	if len(updated.AssignedUsers) > 0 {
		msg = view.T(ctx, "devices.flash.assigned", map[string]any{"Name": updated.Name, "User": updated.AssignedUsers[0].DisplayName})
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/devices/"+tenantdesk.FormatDeviceID(d.ID))
}

func (s *Server) handleConfirmDeleteDevice(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.deviceParam(c)
	if err != nil {
		return err
	}
	acc := currentAccount(c)
	if err := tenantdesk.AuthorizeDevices(tenantdesk.ActorFrom(ctx), acc, tenantdesk.DeviceAccessAdmin); err != nil {
		return err
	}
	return render(c, http.StatusOK, account.DeviceConfirm(account.DeviceConfirmView{Account: acc, Access: accountAccess(ctx, acc), Device: d}))
}

func (s *Server) handleDeleteDevice(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.deviceParam(c)
	if err != nil {
		return err
	}
	if err := s.svc.Devices.DeleteDevice(ctx, d.AccountID, d.ID); err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "devices.flash.deleted", map[string]any{"Name": d.Name})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/devices")
}

// ---- a user's softphones ----

func (s *Server) softphoneChoice(c echo.Context) (*tenantdesk.SoftphoneChoice, error) {
	id, ok := tenantdesk.ParseUserID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	return s.svc.Devices.SoftphoneChoice(c.Request().Context(), currentAccount(c).ID, id)
}

func softphonesView(c echo.Context, ch *tenantdesk.SoftphoneChoice) account.SoftphonesView {
	acc := currentAccount(c)
	v := account.SoftphonesView{Account: acc, Access: accountAccess(c.Request().Context(), acc), User: ch.User, Softphones: ch.Softphones,
		TakenCount: ch.TakenCount, Checked: map[int64]bool{}}
	for _, d := range ch.Softphones {
		if len(d.AssignedUsers) > 0 {
			v.Checked[d.ID] = true
		}
	}
	return v
}

func (s *Server) handleUserSoftphones(c echo.Context) error {
	ch, err := s.softphoneChoice(c)
	if err != nil {
		return err
	}
	v := softphonesView(c, ch)
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, account.UserSoftphones(v))
}

func (s *Server) handleSetUserSoftphones(c echo.Context) error {
	ctx := c.Request().Context()
	ch, err := s.softphoneChoice(c)
	if err != nil {
		return err
	}
	params, _ := c.FormParams()
	var ids []int64
	for _, raw := range params["softphones"] {
		id, ok := tenantdesk.ParseDeviceID(raw)
		if !ok {
			return echo.ErrBadRequest
		}
		ids = append(ids, id)
	}
	_, err = s.svc.Devices.SetUserSoftphones(ctx, ch.User.AccountID, ch.User.ID, ids)
	if isUserError(err) || tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		// A softphone taken or deleted meanwhile: show the current choice
		// with the person's ticks kept and the reason.
		fresh, ferr := s.softphoneChoice(c)
		if ferr != nil {
			return ferr
		}
		v := softphonesView(c, fresh)
		v.Checked = map[int64]bool{}
		for _, id := range ids {
			v.Checked[id] = true
		}
		v.Error = errorText(ctx, err)
		return render(c, http.StatusOK, account.UserSoftphones(v))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "softphones.flash.saved", map[string]any{"Name": ch.User.DisplayName})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/users/"+tenantdesk.FormatUserID(ch.User.ID)+"/softphones")
}
