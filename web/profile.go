package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/profile"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// My profile: the signed-in user's own data. Handlers parse the form, call
// one ProfileService method (which acts on the actor only) and render;
// failed forms come back with status 200, the input kept (never passwords)
// and the errors next to their fields.

// profileForm translates a service error for a form: the summary and the
// field errors, with the service's field names mapped to the form's.
func profileForm(ctx context.Context, err error, rename map[string]string) profile.Form {
	f := profile.Form{Error: errorText(ctx, err), FieldErrors: map[string]string{}}
	for field, msg := range fieldErrors(ctx, err) {
		if to, ok := rename[field]; ok {
			field = to
		}
		if _, dup := f.FieldErrors[field]; !dup {
			f.FieldErrors[field] = msg
		}
	}
	return f
}

// isProfileFormError reports whether err belongs in the form: bad input, a
// taken email, or too many wrong passwords.
func isProfileFormError(err error) bool {
	return isUserError(err) || tenantdesk.ErrorCode(err) == tenantdesk.ETHROTTLED
}

// formStatus is 200 for a form to fix, 429 (with Retry-After) when the
// current password may not be tried for a while.
func formStatus(c echo.Context, err error) int {
	if de := tenantdesk.AsError(err); de != nil && de.Code == tenantdesk.ETHROTTLED {
		c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetryAfterSeconds))
		return http.StatusTooManyRequests
	}
	return http.StatusOK
}

// ---- Personal data and the email change ----

func (s *Server) personalView(c echo.Context) profile.PersonalView {
	u := currentUser(c)
	return profile.PersonalView{DisplayName: u.DisplayName, Phone: u.Phone, JobTitle: u.JobTitle, Email: u.Email}
}

func (s *Server) handleProfilePersonal(c echo.Context) error {
	v := s.personalView(c)
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, profile.Personal(v))
}

func (s *Server) handleUpdatePersonal(c echo.Context) error {
	ctx := c.Request().Context()
	in := tenantdesk.PersonalData{DisplayName: c.FormValue("displayName"), Phone: c.FormValue("phone"), JobTitle: c.FormValue("jobTitle")}
	if _, err := s.svc.Profile.UpdatePersonalData(ctx, in); isProfileFormError(err) {
		v := s.personalView(c)
		v.DisplayName, v.Phone, v.JobTitle = in.DisplayName, in.Phone, in.JobTitle
		v.Personal = profileForm(ctx, err, nil)
		return render(c, formStatus(c, err), profile.Personal(v))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "profile.personal.saved")); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile")
}

func (s *Server) handleRequestEmailChange(c echo.Context) error {
	ctx := c.Request().Context()
	email := c.FormValue("email")
	ttl, err := s.svc.Profile.RequestEmailChange(ctx, email, c.FormValue("currentPassword"))
	if isProfileFormError(err) {
		v := s.personalView(c)
		v.NewEmail = email
		v.EmailForm = profileForm(ctx, err, nil)
		return render(c, formStatus(c, err), profile.Personal(v))
	} else if err != nil {
		return err
	}
	expires := mail.Duration(s.i18n.Localizer(view.Lang(ctx)), ttl)
	if err := s.flash(c, view.T(ctx, "profile.email.sent", map[string]any{"Email": email, "Expires": expires})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile")
}

// handleEmailConfirmPage shows what the link will change; a GET never
// changes anything (mail scanners open links).
func (s *Server) handleEmailConfirmPage(c echo.Context) error {
	token := c.QueryParam("token")
	u, newEmail, err := s.svc.Profile.CheckEmailChange(c.Request().Context(), token)
	if err != nil {
		return s.renderEmailLinkProblem(c, err)
	}
	return render(c, http.StatusOK, profile.EmailConfirm(profile.EmailConfirmView{
		Token: token, Name: u.DisplayName, OldEmail: u.Email, NewEmail: newEmail, SignedIn: currentUser(c) != nil,
	}))
}

func (s *Server) handleEmailConfirm(c echo.Context) error {
	if _, err := s.svc.Profile.ConfirmEmailChange(linkContext(c), c.FormValue("token")); err != nil {
		return s.renderEmailLinkProblem(c, err)
	}
	return redirectAfterPost(c, "/profile/email/confirmed")
}

func (s *Server) handleEmailConfirmed(c echo.Context) error {
	return render(c, http.StatusOK, profile.EmailConfirmed(currentUser(c) != nil))
}

// renderEmailLinkProblem explains a link that cannot be used: expired (410),
// taken meanwhile (409), or unknown or used (404); other errors go on.
func (s *Server) renderEmailLinkProblem(c echo.Context, err error) error {
	ctx := c.Request().Context()
	switch {
	case tenantdesk.IsLinkExpired(err):
		return render(c, http.StatusGone, profile.EmailLinkProblem(profile.LinkProblemView{Expired: true}))
	case tenantdesk.ErrorCode(err) == tenantdesk.EEmailTaken:
		return render(c, http.StatusConflict, profile.EmailLinkProblem(profile.LinkProblemView{Taken: true,
			Message: view.T(ctx, "profile.email.link.taken")}))
	case tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND:
		return render(c, http.StatusNotFound, profile.EmailLinkProblem(profile.LinkProblemView{}))
	}
	return err
}

// ---- My rights ----

func (s *Server) handleProfileRights(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.svc.Profile.MyRights(ctx)
	if err != nil {
		return err
	}
	v := profile.RightsView{IsOwner: r.User.IsOwner, Managers: r.Managers, ManagesUsers: r.ManagesUsers}
	held := map[string]bool{}
	for _, k := range r.User.Roles {
		held[k] = true
	}
	index := map[string]int{}
	for _, role := range tenantdesk.Catalogue {
		if !held[role.Key] {
			continue
		}
		i, ok := index[role.Group]
		if !ok {
			i = len(v.Groups)
			index[role.Group] = i
			v.Groups = append(v.Groups, profile.RoleGroup{Key: role.Group, Title: view.T(ctx, "role.group."+role.Group)})
		}
		v.Groups[i].Roles = append(v.Groups[i].Roles, profile.HeldRole{Key: role.Key, Name: view.T(ctx, "role."+role.Key+".name"),
			Description: view.T(ctx, "role."+role.Key+".description"), Licensed: role.Licensed})
	}
	return render(c, http.StatusOK, profile.Rights(v))
}

// ---- Time and language ----

func (s *Server) preferencesView(c echo.Context) profile.PreferencesView {
	u := currentUser(c)
	v := profile.PreferencesView{Language: u.Language, TimeZone: u.TimeZone, TimeZones: tenantdesk.TimeZones, Now: s.now()}
	if v.TimeZone == "" {
		v.TimeZone = "UTC"
	}
	for _, l := range i18n.Languages {
		v.Languages = append(v.Languages, profile.LanguageOption{Tag: l.Tag, Name: l.Name})
	}
	return v
}

func (s *Server) handleProfilePreferences(c echo.Context) error {
	v := s.preferencesView(c)
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, profile.Preferences(v))
}

// shippedLanguage reports whether tag is "" (the browser's) or a shipped language.
func shippedLanguage(tag string) bool {
	if tag == "" {
		return true
	}
	for _, l := range i18n.Languages {
		if l.Tag == tag {
			return true
		}
	}
	return false
}

// handleUpdatePreferences saves language and zone, then reloads the page,
// which is then in the new language at once. "UTC" is stored as "" (the default).
func (s *Server) handleUpdatePreferences(c echo.Context) error {
	ctx := c.Request().Context()
	p := tenantdesk.Preferences{Language: c.FormValue("language"), TimeZone: c.FormValue("timeZone")}
	if p.TimeZone == "UTC" {
		p.TimeZone = ""
	}
	var err error
	if !shippedLanguage(p.Language) {
		msg := "Choose one of the listed languages."
		e := &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "profile.error.language",
			Fields: []tenantdesk.FieldError{{Field: "language", Message: msg, Key: "profile.error.language"}}}
		if zerr := tenantdesk.ValidatePreferences(tenantdesk.Preferences{TimeZone: p.TimeZone}); zerr != nil {
			e.Fields = append(e.Fields, zerr.Fields...)
		}
		err = e
	} else {
		_, err = s.svc.Profile.SetPreferences(ctx, p)
	}
	if isProfileFormError(err) {
		v := s.preferencesView(c)
		v.Language, v.TimeZone = p.Language, c.FormValue("timeZone")
		v.Form = profileForm(ctx, err, nil)
		return render(c, formStatus(c, err), profile.Preferences(v))
	} else if err != nil {
		return err
	}
	// The notice is written in the language just chosen.
	l := s.i18n.Localizer(s.i18n.Match(p.Language, c.Request().Header.Get("Accept-Language")))
	if err := s.flash(c, l.T("profile.preferences.saved")); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/preferences")
}
