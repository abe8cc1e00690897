package tenantdesk

// Role groups of the catalogue (SPEC §2, seed 003).
const (
	GroupUserAccess = "user_access"
	GroupSupervisor = "supervisor"
	GroupPermission = "permission"
	GroupClient     = "client"
	GroupPartner    = "partner"
)

// Role is one entry of the role catalogue.
type Role struct {
	Key      string
	Name     string // English name; translated names live in the message files under "role.<key>.name"
	Group    string
	Pre      []string // roles that must also be held
	Licensed bool     // a change may incur charges
	Partner  bool     // only for partner accounts
	// Level orders the mutually exclusive supervisor roles (1..5); 0 for others.
	Level int
}

// Role keys used by code (the catalogue below is the full list).
const (
	RoleCustomerUser   = "customer.user"
	RoleUserAdmin      = "user.admin"
	RolePBX            = "customer.user.pbx"
	RolePBXRealtime    = "customer.user.pbx.realtime"
	RoleUC             = "customer.user.uc"
	RoleSoftphone      = "customer.user.uc.softphone"
	RoleSettings       = "customer.settings"
	RoleDeviceAdmin    = "customer.device.admin"
	RoleDeviceReadonly = "customer.device.readonly"
	RoleBillablesAdmin = "customer.billables.admin"
	RoleAccessRespond  = "access.respond"
	RolePartnerAdmin   = "partner.admin"
	RolePartnerUser    = "partner.user"
	RoleSupervisorL1   = "customer.user.supervisorl1"
	RoleSupervisorL3   = "customer.user.supervisorl3"
)

// Catalogue is the role catalogue in display order. It is data: every rule
// reads it, no handler lists roles of its own.
var Catalogue = []Role{
	{Key: "customer.user.pbx", Name: "Essential user", Group: GroupUserAccess, Licensed: true},
	// The essential user of accounts of the UK variant (AccountSettings.EssentialVariant):
	// it takes customer.user.pbx's place there, and only there (CheckUserChange).
	{Key: "customer.user.uc.essential", Name: "Essential user (UK variant)", Group: GroupUserAccess, Licensed: true},
	{Key: "customer.user.uc.remote", Name: "Business user", Group: GroupUserAccess, Licensed: true, Pre: []string{"customer.user.uc"}},
	{Key: "customer.user.pbx.realtime", Name: "Real-time add-on", Group: GroupUserAccess, Licensed: true, Pre: []string{"customer.user.pbx"}},
	{Key: "customer.user.acd", Name: "Agent add-on", Group: GroupUserAccess, Licensed: true, Pre: []string{"customer.user.pbx"}},
	{Key: "customer.user.microsoftteams", Name: "Microsoft Teams user", Group: GroupUserAccess, Licensed: true},

	{Key: "customer.user.supervisorl1", Name: "Reporting supervisor", Group: GroupSupervisor, Licensed: true, Pre: []string{"customer.user"}, Level: 1},
	{Key: "customer.user.supervisorl2", Name: "Analytics supervisor", Group: GroupSupervisor, Licensed: true, Pre: []string{"customer.user"}, Level: 2},
	{Key: "customer.user.supervisorl3", Name: "Live analytics supervisor", Group: GroupSupervisor, Licensed: true, Pre: []string{"customer.user"}, Level: 3},
	{Key: "customer.user.supervisorl4", Name: "Contact-centre supervisor", Group: GroupSupervisor, Licensed: true, Pre: []string{"customer.user"}, Level: 4},
	{Key: "customer.user.supervisorl5", Name: "Insights supervisor", Group: GroupSupervisor, Licensed: true, Pre: []string{"customer.user"}, Level: 5},

	{Key: "customer.user", Name: "Website access", Group: GroupPermission},
	{Key: "user.admin", Name: "Manage users", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "customer.billables.admin", Name: "Manage billable items", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "customer.device.readonly", Name: "Device access (read-only)", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "customer.device.admin", Name: "Device administrator", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "customer.settings", Name: "Customer settings", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "customer.directories.contributor", Name: "Manage contact directories", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "customer.workspace.admin", Name: "Workspace administrator", Group: GroupPermission, Pre: []string{"customer.user", "customer.settings"}},
	{Key: "customer.voice.applications", Name: "Phone-system applications", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "customer.voice.admin", Name: "Phone-system administrator", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "onboarding.admin", Name: "REST API administrator", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "webhooks.admin", Name: "Webhooks administrator", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "pbx.agentcontrol", Name: "Supervisor agent control", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "pbx.silentmonitor", Name: "Silent monitor", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "recording.viewer", Name: "Recording playback", Group: GroupPermission, Pre: []string{"customer.user"}},
	{Key: "access.respond", Name: "Answer access requests", Group: GroupPermission, Pre: []string{"customer.user"}},

	{Key: "customer.user.uc", Name: "UC client", Group: GroupClient, Pre: []string{"customer.user"}},
	{Key: "customer.user.crm", Name: "CRM client", Group: GroupClient, Pre: []string{"customer.user"}},
	{Key: "customer.user.uc.softphone", Name: "Softphones", Group: GroupClient, Pre: []string{"customer.user.uc"}},

	{Key: "partner.admin", Name: "Partner administrator", Group: GroupPartner, Partner: true},
	{Key: "partner.user", Name: "Partnerdesk access", Group: GroupPartner, Partner: true},
}

var catalogueIndex = func() map[string]*Role {
	m := make(map[string]*Role, len(Catalogue))
	for i := range Catalogue {
		m[Catalogue[i].Key] = &Catalogue[i]
	}
	return m
}()

// LookupRole returns the catalogue entry for key, or nil when the key is unknown.
func LookupRole(key string) *Role { return catalogueIndex[key] }

// PartnerOwnerRoles are the roles of a partner account's Owner.
var PartnerOwnerRoles = []string{RolePartnerAdmin, RolePartnerUser}

// CustomerOwnerRoles returns every permission role of a customer account:
// the Owner holds them all and nobody can reduce them (R5).
func CustomerOwnerRoles() []string {
	var keys []string
	for _, r := range Catalogue {
		if r.Group == GroupPermission {
			keys = append(keys, r.Key)
		}
	}
	return keys
}
