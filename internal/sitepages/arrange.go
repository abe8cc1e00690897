package sitepages

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Store is what Arrange reads of the store.
type Store interface {
	FindUserByEmail(ctx context.Context, email string) (*tenantdesk.User, error)
	FindAccountByID(ctx context.Context, id int64) (*tenantdesk.Account, error)
}

// Portal is a running portal over the demo data (internal/demo).
type Portal struct {
	URL      string
	Store    Store
	Svc      *service.All
	Password map[string]string // demo email -> password
	Now      func() time.Time
}

// as returns ctx acting as the demo user with the email, in their account.
func (p Portal) as(ctx context.Context, email string) (context.Context, *tenantdesk.User, error) {
	u, err := p.Store.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", email, err)
	}
	acc, err := p.Store.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return nil, nil, fmt.Errorf("account of %s: %w", email, err)
	}
	return tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: u, Account: acc, IP: "127.0.0.1"}), u, nil
}

// Arrange puts the demo data into the states some pages need, through the
// services as a person or the operator would:
//   - an API token for each signed-in viewer who may have one (Profile ›
//     API tokens and its confirmations; the others' tab says why not);
//   - a second session for each of them;
//   - an invited user with a queued activation email, a password reset
//     email and an email change waiting for confirmation (the demo mailbox,
//     and the pages those emailed links open);
//   - access for the impersonating viewer, asked by the partner admin and
//     granted by the customer's Owner;
//   - the gallery requires two-factor authentication, which its Owner has
//     not set up yet and Winnie Pooh has (the two-factor sign-in pages);
//   - a disabled customer of the partner (the confirmation that enables it
//     again); as the walk opens one customer's pages, it returns the links
//     to both confirmations (enable it, disable Tom Sawyer's) as hints.
func (p Portal) Arrange(ctx context.Context) (hints []string, err error) {
	for _, v := range SignedIn {
		actx, u, err := p.as(ctx, v.Email)
		if err != nil {
			return nil, err
		}
		_, _, err = p.Svc.Tokens.CreateToken(actx, u.ID, tenantdesk.NewAPIToken{Name: "Reporting script"})
		if tenantdesk.ErrorCode(err) == tenantdesk.EAPIAccessRequired {
			continue // no onboarding.admin (SPEC §2): the tab explains instead
		} else if err != nil {
			return nil, fmt.Errorf("token for %s: %w", v.Email, err)
		}
	}

	// A second session each, as from another browser (Profile › Sessions
	// and its "sign out everywhere else" confirmation).
	for _, v := range SignedIn {
		if _, err := p.SignInHTTP(v.Email, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"); err != nil {
			return nil, err
		}
	}

	op := tenantdesk.OperatorContext(ctx)
	tom, err := p.Store.FindUserByEmail(ctx, Owner.Email)
	if err != nil {
		return nil, err
	}
	amy := &tenantdesk.User{AccountID: tom.AccountID, DisplayName: "Amy Lawrence", Email: "amy.lawrence@fence.example", Roles: []string{"customer.user"}}
	if err := p.Svc.Operator.CreateUser(op, amy); err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	if err := p.Svc.Operator.QueueActivation(op, amy.ID); err != nil {
		return nil, fmt.Errorf("activation email: %w", err)
	}
	if err := p.Svc.Links.RequestPasswordReset(ctx, UserAdmin.Email); err != nil {
		return nil, fmt.Errorf("password reset email: %w", err)
	}
	hctx, _, err := p.as(ctx, PlainUser.Email)
	if err != nil {
		return nil, err
	}
	if _, err := p.Svc.Profile.RequestEmailChange(hctx, "huckleberry.finn@fence.example", p.Password[PlainUser.Email]); err != nil {
		return nil, fmt.Errorf("email change: %w", err)
	}

	// Access for the impersonating viewer: asked by the partner admin,
	// granted by the customer's Owner for a week.
	ectx, _, err := p.as(ctx, PartnerAdmin.Email)
	if err != nil {
		return nil, err
	}
	caroline, err := p.Store.FindUserByEmail(ctx, Impersonating.Email)
	if err != nil {
		return nil, err
	}
	rs, err := p.Svc.Access.CreateAccessRequests(ectx, tenantdesk.NewAccessRequest{Name: "SupportAccess",
		Associations: []tenantdesk.AccessAssociation{{UserIDs: []int64{caroline.ID}, AccountIDs: []int64{tom.AccountID}}}})
	if err != nil {
		return nil, fmt.Errorf("access request: %w", err)
	}
	tctx, _, err := p.as(ctx, Owner.Email)
	if err != nil {
		return nil, err
	}
	until := p.Now().Add(7 * 24 * time.Hour)
	if _, err := p.Svc.Access.Grant(tctx, rs[0].ID, tenantdesk.AccessAnswer{ExpiresAt: &until}); err != nil {
		return nil, fmt.Errorf("grant access: %w", err)
	}

	robin, err := p.Store.FindUserByEmail(ctx, Enrolling.Email)
	if err != nil {
		return nil, err
	}
	wctx, _, err := p.as(ctx, SecondFactor.Email)
	if err != nil {
		return nil, err
	}
	setup, err := p.Svc.TwoFactor.StartTOTPSetup(wctx, p.Password[SecondFactor.Email])
	if err != nil {
		return nil, fmt.Errorf("two-factor set-up: %w", err)
	}
	code, err := auth.TOTPCode(setup.Secret, p.Now())
	if err != nil {
		return nil, err
	}
	if _, err := p.Svc.TwoFactor.ConfirmTOTPSetup(wctx, code); err != nil {
		return nil, fmt.Errorf("two-factor confirmation: %w", err)
	}
	if _, err := p.Svc.Security.SetAccountSecurity(op, tenantdesk.AccountSecurity{AccountID: robin.AccountID, Require2FA: true}); err != nil {
		return nil, fmt.Errorf("require two-factor: %w", err)
	}

	stand, err := p.Svc.Customers.CreatePartnerCustomer(ectx, tenantdesk.NewCustomer{Name: "Aunt Polly's Jam Kitchen", Reference: "JAM-1"})
	if err != nil {
		return nil, fmt.Errorf("a customer to disable: %w", err)
	}
	if _, err := p.Svc.AccountInfo.SetCustomerDisabled(ectx, stand.Customer.Account.TenantID, true); err != nil {
		return nil, fmt.Errorf("disable a customer: %w", err)
	}
	tomCo, err := p.Store.FindAccountByID(ctx, tom.AccountID)
	if err != nil {
		return nil, err
	}
	// Whichever customer's page the walk opens, both confirmations are reached.
	return []string{"/partner/customers/" + stand.Customer.Account.TenantID + "/enable", "/partner/customers/" + tomCo.TenantID + "/disable"}, nil
}

var csrfInput = regexp.MustCompile(`name="_csrf"[^>]*value="([^"]+)"`)

// SignInHTTP signs in as the demo user with a plain HTTP client that sends
// userAgent, and returns the client, which holds the session and does not
// follow redirects.
func (p Portal) SignInHTTP(email, userAgent string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (*http.Response, string, error) {
		req, err := http.NewRequest(method, p.URL+path, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("User-Agent", userAgent)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res, string(b), err
	}
	_, body, err := do(http.MethodGet, "/signin", nil)
	if err != nil {
		return nil, err
	}
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("sign-in as %s: no CSRF token on the sign-in page", email)
	}
	res, _, err := do(http.MethodPost, "/signin", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {p.Password[email]}})
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		return nil, fmt.Errorf("sign-in as %s: %d to %q", email, res.StatusCode, res.Header.Get("Location"))
	}
	return c, nil
}
