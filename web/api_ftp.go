package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
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

func (s *Server) handleFTPAuth(c echo.Context) error {
	if s.cfg.FTPAuthSecret == "" {
		return s.problem(c, http.StatusNotFound, tenantdesk.ENOTFOUND, "Not found.")
	}
	if !ftpSecretMatches(c.Request().Header.Get(echo.HeaderAuthorization), s.cfg.FTPAuthSecret) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tenantdesk-ftp"`)
		return s.problem(c, http.StatusUnauthorized, tenantdesk.EUNAUTHORIZED, "A valid shared secret is required.")
	}
	var in ftpAuthRequest
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(&in); err != nil {
		return s.problem(c, http.StatusBadRequest, tenantdesk.EINVALID, "The body must be a JSON object with username, password and clientIp.")
	}
	if strings.TrimSpace(in.Username) == "" || in.Password == "" {
		return s.problem(c, http.StatusBadRequest, tenantdesk.EINVALID, "username and password are required.")
	}
	ip := strings.TrimSpace(in.ClientIP)
	if ip != "" {
		parsed := net.ParseIP(ip)
		if parsed == nil {
			return s.problem(c, http.StatusBadRequest, tenantdesk.EINVALID, "clientIp must be an IP address.")
		}
		ip = parsed.String()
	}
	// The audit log records the FTP client's address; the FTP server's own
	// when it sent none.
	actorIP := ip
	if actorIP == "" {
		actorIP = c.RealIP()
	}
	ctx := tenantdesk.WithActor(c.Request().Context(), &tenantdesk.Actor{IP: actorIP})
	res, err := s.svc.FTPAuth.FTPAuth(ctx, tenantdesk.FTPAuthInput{Username: in.Username, Password: in.Password, ClientIP: ip})
	switch de := tenantdesk.AsError(err); {
	case err == nil:
		return c.JSON(http.StatusOK, ftpAuthResponse{TenantID: res.TenantID, HomeFolder: res.HomeFolder})
	case de != nil && de.Code == tenantdesk.EUNAUTHORIZED:
		return s.problem(c, http.StatusUnauthorized, tenantdesk.EUNAUTHORIZED, de.Message)
	case de != nil && de.Code == tenantdesk.ETHROTTLED:
		c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetryAfterSeconds))
		return s.problem(c, http.StatusTooManyRequests, tenantdesk.ETHROTTLED, de.Message)
	}
	return err
}
