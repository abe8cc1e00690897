package account

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Access is what the viewer may do in the account, decided once per
// request by the handler from the actor (web/account.go); the tab bar and
// the pages show tabs, links and forms by it. It decides only what is
// shown: the services check every call again.
type Access struct {
	// CanAdmin: manages the account's users (the Users, Licenses, Audit
	// log and Security tabs).
	CanAdmin bool
	// CanReadDevices: sees the account's devices (the Devices tab).
	CanReadDevices bool
	// CanEditDevices: customer.device.admin (create, edit, delete
	// devices); otherwise devices are read-only.
	CanEditDevices bool
	// CanAssignSoftphones: assigns softphones to users (user admins and
	// device administrators).
	CanAssignSoftphones bool
	// CanRespond: answers the account's access requests (its Owner, user
	// admins and holders of access.respond, as themselves, never while
	// impersonating): the Access requests tab.
	CanRespond bool
	// CanReadSettings: sees the customer's settings (every member of a
	// customer account): the Settings tab. Who may change them is the
	// tab's own decision (tenantdesk.CanEditSettings).
	CanReadSettings bool
}

// accountTabs are the tabs of the About account area the viewer sees:
// Licenses only in customer accounts, where licensed roles exist.
func accountTabs(ctx context.Context, acc *tenantdesk.Account, a Access) []components.Tab {
	tabs := []components.Tab{{Key: "general", Href: "/account", Label: view.T(ctx, "account.tab.general")}}
	if a.CanAdmin {
		tabs = append(tabs, components.Tab{Key: "users", Href: "/account/users", Label: view.T(ctx, "account.tab.users")})
		if !acc.IsPartner() {
			tabs = append(tabs, components.Tab{Key: "licenses", Href: "/account/licenses", Label: view.T(ctx, "account.tab.licenses")})
		}
		tabs = append(tabs,
			components.Tab{Key: "audit", Href: "/account/audit", Label: view.T(ctx, "account.tab.audit")},
			components.Tab{Key: "security", Href: "/account/security", Label: view.T(ctx, "account.tab.security")})
	}
	if a.CanReadSettings {
		tabs = append(tabs, components.Tab{Key: "settings", Href: "/account/settings", Label: view.T(ctx, "settings.tab")})
	}
	if a.CanReadDevices {
		tabs = append(tabs, components.Tab{Key: "devices", Href: "/account/devices", Label: view.T(ctx, "account.tab.devices")})
	}
	if a.CanRespond {
		tabs = append(tabs, components.Tab{Key: "access-requests", Href: "/account/access-requests", Label: view.T(ctx, "access_customer.tab")})
	}
	return tabs
}
