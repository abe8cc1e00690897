package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// REST API v1: a customer's devices and a user's softphones (SPEC §5). The
// device service authorizes: reading needs customer.device.readonly or
// .admin, changes customer.device.admin, assigning softphones user.admin or
// customer.device.admin (the Owner and the partner's partner.admin have
// both). The OpenAPI description is web/openapi/devices.json.

// apiDevice is the JSON form of a device. extension and macAddress are ""
// when the device has none (softphones have no MAC address).
type apiDevice struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Kind            string   `json:"kind"`
	Extension       string   `json:"extension"`
	MacAddress      string   `json:"macAddress"`
	AssignedUserIDs []string `json:"assignedUserIds"`
	CreatedAt       string   `json:"createdAt"`
	UpdatedAt       string   `json:"updatedAt"`
}

func toAPIDevice(d *tenantdesk.Device) apiDevice {
	ids := []string{}
	for _, id := range d.AssignedUserIDs() {
		ids = append(ids, tenantdesk.FormatUserID(id))
	}
	return apiDevice{ID: tenantdesk.FormatDeviceID(d.ID), Name: d.Name, Kind: d.Kind, Extension: d.Extension, MacAddress: d.MacAddress,
		AssignedUserIDs: ids, CreatedAt: apiTime(d.CreatedAt), UpdatedAt: apiTime(d.UpdatedAt)}
}

func toAPIDevices(ds []*tenantdesk.Device) []apiDevice {
	out := make([]apiDevice, 0, len(ds))
	for _, d := range ds {
		out = append(out, toAPIDevice(d))
	}
	return out
}

// apiDeviceBody is the body of POST and PATCH; absent fields are nil.
type apiDeviceBody struct {
	Name       *string `json:"name"`
	Kind       *string `json:"kind"`
	Extension  *string `json:"extension"`
	MacAddress *string `json:"macAddress"`
}

func deviceLocation(acc *tenantdesk.Account, d *tenantdesk.Device) string {
	return apiPrefix + "/customers/" + acc.TenantID + "/devices/" + tenantdesk.FormatDeviceID(d.ID)
}

// handleAPIListDevices: GET /customers/{tenantId}/devices?limit=&cursor=&kind=
func (s *Server) handleAPIListDevices(c echo.Context) error {
	acc, err := s.apiCustomerParam(c)
	if err != nil {
		return err
	}
	p, err := apiPageParams(c)
	if err != nil {
		return err
	}
	page, err := s.svc.Devices.ListDevices(c.Request().Context(), acc.ID,
		tenantdesk.DeviceFilter{Kind: c.QueryParam("kind"), After: p.Cursor, Limit: p.Limit})
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, apiList(toAPIDevices(page.Devices), page.NextCursor))
}

// handleAPICreateDevice: POST /customers/{tenantId}/devices
func (s *Server) handleAPICreateDevice(c echo.Context) error {
	acc, err := s.apiCustomerParam(c)
	if err != nil {
		return err
	}
	var b apiDeviceBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if err := requireFields("name", b.Name != nil, "kind", b.Kind != nil); err != nil {
		return err
	}
	in := tenantdesk.DeviceInput{Name: *b.Name, Kind: *b.Kind}
	if b.Extension != nil {
		in.Extension = *b.Extension
	}
	if b.MacAddress != nil {
		in.MacAddress = *b.MacAddress
	}
	d, err := s.svc.Devices.CreateDevice(c.Request().Context(), acc.ID, in)
	if err != nil {
		return err
	}
	return apiCreated(c, deviceLocation(acc, d), toAPIDevice(d))
}

// handleAPIGetDevice: GET /customers/{tenantId}/devices/{deviceId}
func (s *Server) handleAPIGetDevice(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "deviceId", tenantdesk.ParseDeviceID)
	if err != nil {
		return err
	}
	d, err := s.svc.Devices.GetDevice(c.Request().Context(), acc.ID, id)
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, toAPIDevice(d))
}

// handleAPIUpdateDevice: PATCH /customers/{tenantId}/devices/{deviceId}
func (s *Server) handleAPIUpdateDevice(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "deviceId", tenantdesk.ParseDeviceID)
	if err != nil {
		return err
	}
	var b apiDeviceBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	d, err := s.svc.Devices.UpdateDevice(c.Request().Context(), acc.ID, id,
		tenantdesk.DevicePatch{Name: b.Name, Kind: b.Kind, Extension: b.Extension, MacAddress: b.MacAddress})
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, toAPIDevice(d))
}

// handleAPIDeleteDevice: DELETE /customers/{tenantId}/devices/{deviceId}
func (s *Server) handleAPIDeleteDevice(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "deviceId", tenantdesk.ParseDeviceID)
	if err != nil {
		return err
	}
	if err := s.svc.Devices.DeleteDevice(c.Request().Context(), acc.ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiSoftphonesBody is the body of PUT …/users/{userId}/devices: the whole set.
type apiSoftphonesBody struct {
	Softphones *[]string `json:"softphones"`
}

// apiUserSoftphones is the answer: the user's softphones after the change.
type apiUserSoftphones struct {
	UserID     string      `json:"userId"`
	Softphones []apiDevice `json:"softphones"`
}

// handleAPISetUserDevices: PUT /customers/{tenantId}/users/{userId}/devices
func (s *Server) handleAPISetUserDevices(c echo.Context) error {
	acc, userID, err := s.apiCustomerAndID(c, "userId", tenantdesk.ParseUserID)
	if err != nil {
		return err
	}
	var b apiSoftphonesBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if err := requireFields("softphones", b.Softphones != nil); err != nil {
		return err
	}
	ids := make([]int64, 0, len(*b.Softphones))
	for _, raw := range *b.Softphones {
		id, ok := tenantdesk.ParseDeviceID(raw)
		if !ok {
			// Not an ID of ours: an unknown device, like any other.
			return &tenantdesk.Error{Code: tenantdesk.ENOTFOUND, Message: "Device not found."}
		}
		ids = append(ids, id)
	}
	devices, err := s.svc.Devices.SetUserSoftphones(c.Request().Context(), acc.ID, userID, ids)
	if err != nil {
		return s.parentUserReadOnly(c, acc.ID, userID, err)
	}
	return apiJSON(c, http.StatusOK, apiUserSoftphones{UserID: tenantdesk.FormatUserID(userID), Softphones: toAPIDevices(devices)})
}
