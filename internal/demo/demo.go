// Package demo fills an empty database with the demo data of SPEC §7, so a
// newcomer can sign in and look around at once.
package demo

import (
	"context"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// SignIn is one demo sign-in, printed once at start-up.
type SignIn struct {
	Account  string
	Name     string
	Email    string
	Password string
	Note     string
}

type person struct {
	name, email string
	roles       []string
	note        string
}

// Seed creates the demo accounts and users with random passwords, as the
// platform operator through ops (the same rules as every other path). It
// refuses to touch a database that already holds accounts.
func Seed(ctx context.Context, db *sqlstore.DB, ops *service.Operator, devices tenantdesk.DeviceService) ([]SignIn, error) {
	ctx = tenantdesk.OperatorContext(ctx)
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		return nil, err
	} else if !empty {
		return nil, fmt.Errorf("demo: the database is not empty; demo data goes only into an empty database")
	}
	var out []SignIn
	activate := func(acc string, u *tenantdesk.User, note string) error {
		pw := auth.RandomPassword(16)
		if err := ops.SetPassword(ctx, u.ID, pw); err != nil {
			return err
		}
		out = append(out, SignIn{Account: acc, Name: u.DisplayName, Email: u.Email, Password: pw, Note: note})
		return nil
	}

	partner, owner, err := ops.CreatePartner(ctx, tenantdesk.CreatePartnerInput{
		Name: "Classics, Inc.", OwnerName: "Elizabeth Bennet", OwnerEmail: "elizabeth.bennet@classics.example",
	})
	if err != nil {
		return nil, err
	}
	if err := activate(partner.Name, owner, "Owner, partner.admin"); err != nil {
		return nil, err
	}
	for _, p := range []person{
		{"Caroline Bingley", "caroline.bingley@classics.example", []string{tenantdesk.RolePartnerUser}, "partner.user"},
		{"Charlotte Lucas", "charlotte.lucas@classics.example", []string{tenantdesk.RolePartnerUser}, "partner.user"},
	} {
		if err := addUser(ctx, ops, partner, p, activate); err != nil {
			return nil, err
		}
	}

	fence := &tenantdesk.Account{
		ParentID: partner.ID, Name: "Tom Sawyer Fence Painting Co.", Reference: "FENCE-001",
		Description:     "Whitewashing fences along the Mississippi since 1876.",
		ServicePackages: "Contact Centre Analytics, UC Essentials", SupportPackage: "Business (9×5)",
		PersonalManagerName: "Mary Crawford", PersonalManagerEmail: "mary.crawford@classics.example", PersonalManagerPhone: "+1 555 0100",
		TechnicalManagerName: "Edmund Bertram", TechnicalManagerEmail: "edmund.bertram@classics.example", TechnicalManagerPhone: "+1 555 0101",
	}
	tom := &tenantdesk.User{DisplayName: "Tom Sawyer", Email: "tom.sawyer@fence.example"}
	if err := ops.CreateCustomer(ctx, fence, tom); err != nil {
		return nil, err
	}
	if err := activate(fence.Name, tom, "Owner"); err != nil {
		return nil, err
	}
	for _, p := range []person{
		{"Becky Thatcher", "becky.thatcher@fence.example", []string{"user.admin", "customer.user"}, "user.admin + customer.user"},
		{"Huck Finn", "huck.finn@fence.example", []string{"customer.user", "customer.user.supervisorl1"}, "customer.user + supervisorl1"},
		{"Aunt Polly", "aunt.polly@fence.example", []string{"customer.user", "customer.settings", "customer.device.admin", "customer.billables.admin"}, "settings, devices, billables"},
		{"Sid Sawyer", "sid.sawyer@fence.example", []string{"customer.user", "customer.user.pbx", "customer.user.acd", "customer.user.uc", "customer.user.uc.softphone"}, "essential user, agent add-on, softphones"},
		{"Joe Harper", "joe.harper@fence.example", []string{"customer.user", "customer.device.readonly", "recording.viewer", "customer.user.microsoftteams"}, "devices read-only, recordings, Teams"},
		{"Muff Potter", "muff.potter@fence.example", []string{"customer.user.pbx"}, "no portal access"},
	} {
		if err := addUser(ctx, ops, fence, p, activate); err != nil {
			return nil, err
		}
	}

	gallery := &tenantdesk.Account{
		ParentID: partner.ID, Name: "Hundred Acre Wood Art Gallery", Reference: "HAW-7",
		Description:     "Paintings of honey pots, mostly.",
		ServicePackages: "UC Essentials", SupportPackage: "Standard",
		PersonalManagerName: "Mary Crawford", PersonalManagerEmail: "mary.crawford@classics.example", PersonalManagerPhone: "+1 555 0100",
	}
	robin := &tenantdesk.User{DisplayName: "Christopher Robin", Email: "christopher.robin@hundredacre.example"}
	if err := ops.CreateCustomer(ctx, gallery, robin); err != nil {
		return nil, err
	}
	if err := activate(gallery.Name, robin, "Owner"); err != nil {
		return nil, err
	}
	if err := addUser(ctx, ops, gallery, person{"Winnie Pooh", "winnie.pooh@hundredacre.example", []string{"customer.user", "customer.user.uc"}, "customer.user + customer.user.uc"}, activate); err != nil {
		return nil, err
	}
	if err := seedDevices(ctx, db, devices, fence); err != nil { // devices.go
		return nil, err
	}
	return out, nil
}

func addUser(ctx context.Context, ops *service.Operator, a *tenantdesk.Account, p person, activate func(string, *tenantdesk.User, string) error) error {
	u := &tenantdesk.User{AccountID: a.ID, DisplayName: p.name, Email: p.email, Roles: p.roles}
	if err := ops.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("demo: %s: %w", p.email, err)
	}
	if !u.CanSignIn() {
		return nil // invited only: an essential user without website access never signs in
	}
	return activate(a.Name, u, p.note)
}
