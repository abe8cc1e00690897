package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/profile"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// My profile › Password and FTP password. Passwords are never rendered back
// into a form.

// passwordErrorText is the message for a new password the policy refused
// (tenantdesk.CheckNewPassword): the broken rule's own text, or the length
// rule when the error names none. Also used by the activation and reset
// pages (links.go).
func passwordErrorText(ctx context.Context, err error) string {
	if de := tenantdesk.AsError(err); de != nil {
		for _, f := range de.Fields {
			if f.Field == "password" && f.Key != "" {
				return view.T(ctx, f.Key)
			}
		}
	}
	return passwordRuleError(ctx)
}

// mismatch is the error of a confirmation that differs from the new password.
func mismatch(field string) error {
	msg := "The two passwords do not match. Type the same password twice."
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "password.error.mismatch",
		Fields: []tenantdesk.FieldError{{Field: field, Message: msg, Key: "password.error.mismatch"}}}
}

func (s *Server) handleProfilePassword(c echo.Context) error {
	return render(c, http.StatusOK, profile.Password(profile.PasswordView{Flash: s.takeFlashes(c)}))
}

func (s *Server) handleChangePassword(c echo.Context) error {
	ctx := c.Request().Context()
	current, pw, confirm := c.FormValue("currentPassword"), c.FormValue("newPassword"), c.FormValue("confirmPassword")
	var ended int
	var err error
	if pw != confirm {
		err = mismatch("confirmPassword")
	} else {
		ended, err = s.svc.Profile.ChangePassword(ctx, current, pw)
	}
	if isProfileFormError(err) {
		f := profileForm(ctx, err, map[string]string{"password": "newPassword"})
		return render(c, formStatus(c, err), profile.Password(profile.PasswordView{Form: f}))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.N(ctx, "profile.password.changed", ended)); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/password")
}

func (s *Server) ftpView(c echo.Context) (profile.FTPView, error) {
	u := currentUser(c)
	cred, err := s.svc.Profile.FTPCredential(c.Request().Context())
	if err != nil {
		return profile.FTPView{}, err
	}
	return profile.FTPView{Username: u.Email, HomeFolder: tenantdesk.FTPHomeFolder(u.TenantID), Credential: cred,
		Endpoint: s.cfg.FTPAuthSecret != ""}, nil
}

func (s *Server) handleProfileFTP(c echo.Context) error {
	v, err := s.ftpView(c)
	if err != nil {
		return err
	}
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, profile.FTP(v))
}

func (s *Server) handleSetFTPPassword(c echo.Context) error {
	ctx := c.Request().Context()
	current, pw, confirm := c.FormValue("currentPassword"), c.FormValue("ftpPassword"), c.FormValue("confirmPassword")
	var err error
	if pw != confirm {
		err = mismatch("confirmPassword")
	} else {
		err = s.svc.Profile.SetFTPPassword(ctx, current, pw)
	}
	if isProfileFormError(err) {
		v, verr := s.ftpView(c)
		if verr != nil {
			return verr
		}
		v.Form = profileForm(ctx, err, map[string]string{"password": "ftpPassword"})
		return render(c, formStatus(c, err), profile.FTP(v))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "profile.ftp.saved")); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/ftp")
}
