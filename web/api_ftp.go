package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// POST /api/v1/ftp/auth: the account's FTP/SFTP server checks a login here.
// Only a caller holding the configured shared secret may ask (sent as
// "Authorization: Bearer <secret>", compared in constant time); without a
// configured secret the endpoint does not exist. It is a machine endpoint:
// no session, no CSRF, no API token.

// ftpAuthRequest is the body the FTP server sends.
type ftpAuthRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	ClientIP string `json:"clientIp"`
}

// ftpAuthResponse is the answer to a good login.
type ftpAuthResponse struct {
	TenantID   string `json:"tenantId"`
	HomeFolder string `json:"homeFolder"`
}

// ftpSecretMatches compares the bearer token of an Authorization header
// with the secret in constant time (both hashed first, so not even the
// length leaks).
func ftpSecretMatches(header, secret string) bool {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got, want := sha256.Sum256([]byte(strings.TrimSpace(token))), sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// handleFTPAuth answers like the rest of the API: problem+json through
// the one error table and writer (api_problem.go), with the codes the
// OpenAPI document lists for this path (web/openapi/ftp.json).
func (s *Server) handleFTPAuth(c echo.Context) error {
	if s.cfg.FTPAuthSecret == "" {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "There is no such API endpoint or object.")
	}
	if !ftpSecretMatches(c.Request().Header.Get(echo.HeaderAuthorization), s.cfg.FTPAuthSecret) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tenantdesk-ftp"`)
		return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "A valid shared secret is required.")
	}
	var in ftpAuthRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var fields []tenantdesk.FieldError
	if strings.TrimSpace(in.Username) == "" {
		fields = append(fields, tenantdesk.FieldError{Field: "username", Message: "username is required."})
	}
	if in.Password == "" {
		fields = append(fields, tenantdesk.FieldError{Field: "password", Message: "password is required."})
	}
	ip := strings.TrimSpace(in.ClientIP)
	if ip != "" {
		if parsed := net.ParseIP(ip); parsed == nil {
			fields = append(fields, tenantdesk.FieldError{Field: "clientIp", Message: "clientIp must be an IP address."})
		} else {
			ip = parsed.String()
		}
	}
	if len(fields) > 0 {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	// The audit log records the FTP client's address; the FTP server's own
	// when it sent none.
	actorIP := ip
	if actorIP == "" {
		actorIP = c.RealIP()
	}
	ctx := tenantdesk.WithActor(c.Request().Context(), &tenantdesk.Actor{IP: actorIP})
	res, err := s.svc.FTPAuth.FTPAuth(ctx, tenantdesk.FTPAuthInput{Username: in.Username, Password: in.Password, ClientIP: ip})
	if err != nil {
		if tenantdesk.ErrorCode(err) == tenantdesk.EUNAUTHORIZED {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tenantdesk-ftp"`)
		}
		return err
	}
	return c.JSON(http.StatusOK, ftpAuthResponse{TenantID: res.TenantID, HomeFolder: res.HomeFolder})
}
