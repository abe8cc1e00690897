package demo

import (
	"context"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// seedDevices gives Tom Sawyer Fence Painting Co. a few devices for Aunt
// Polly (customer.device.admin) to manage and Joe Harper (read-only) to
// look at, and assigns Sid Sawyer (customer.user.uc.softphone) a softphone.
func seedDevices(ctx context.Context, db *sqlstore.DB, devices tenantdesk.DeviceService, fence *tenantdesk.Account) error {
	op := tenantdesk.OperatorContext(ctx)
	var sidPhone int64
	for _, in := range []tenantdesk.DeviceInput{
		{Name: "Reception deskphone", Kind: tenantdesk.DeviceDeskphone, Extension: "100", MacAddress: "00:04:f2:a1:b2:01"},
		{Name: "Paint shed deskphone", Kind: tenantdesk.DeviceDeskphone, Extension: "110", MacAddress: "00:04:f2:a1:b2:02"},
		{Name: "Sid's softphone", Kind: tenantdesk.DeviceSoftphone, Extension: "201"},
		{Name: "Spare softphone", Kind: tenantdesk.DeviceSoftphone, Extension: "299"},
	} {
		d, err := devices.CreateDevice(op, fence.ID, in)
		if err != nil {
			return fmt.Errorf("demo: device %s: %w", in.Name, err)
		}
		if in.Name == "Sid's softphone" {
			sidPhone = d.ID
		}
	}
	sid, err := db.FindUserByEmail(ctx, "sid.sawyer@fence.example")
	if err != nil {
		return err
	}
	if _, err := devices.SetUserSoftphones(op, fence.ID, sid.ID, []int64{sidPhone}); err != nil {
		return fmt.Errorf("demo: Sid's softphone: %w", err)
	}
	return nil
}
