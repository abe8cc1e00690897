package sitepages

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/chromedp/chromedp"
)

// SignIn signs in as v in the browser through the sign-in form; a viewer
// with Pending set stops at the second factor, one with ImpersonateAt then
// starts impersonating the customer through its confirmation page.
func (p Portal) SignIn(ctx context.Context, v Viewer) error {
	pw, ok := p.Password[v.Email]
	if !ok {
		return fmt.Errorf("no demo password for %s", v.Email)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.URL+"/signin")); err != nil {
		return fmt.Errorf("open the sign-in page: %w", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), v.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw)); err != nil {
		return fmt.Errorf("fill the sign-in form: %w", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("[data-testid=signin-submit]"))); err != nil {
		return fmt.Errorf("sign in as %s: %w", v.Email, err)
	}
	path, err := location(ctx)
	if err != nil {
		return err
	}
	if !v.Pending && path != "/" || v.Pending && !strings.HasPrefix(path, "/signin/2fa") {
		return fmt.Errorf("sign-in as %s ended at %s", v.Email, path)
	}
	if v.ImpersonateAt == "" {
		return nil
	}
	u, err := p.Store.FindUserByEmail(ctx, v.ImpersonateAt)
	if err != nil {
		return err
	}
	acc, err := p.Store.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return err
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.URL+"/impersonate/"+acc.TenantID+"/"+string(v.ImpersonateMode))); err != nil {
		return fmt.Errorf("open the impersonation confirmation: %w", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid=confirm-submit]`))); err != nil {
		return fmt.Errorf("start impersonating %s: %w", acc.Name, err)
	}
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("[data-testid=impersonation-banner]")`)); err != nil || !ok {
		path, _ := location(ctx)
		return fmt.Errorf("%s impersonating %s: no impersonation banner at %s (%v)", v.Email, acc.Name, path, err)
	}
	return nil
}

func location(ctx context.Context) (string, error) {
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "", err
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", err
	}
	return u.Path, nil
}
