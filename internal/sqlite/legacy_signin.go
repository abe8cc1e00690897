package sqlite

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TRANSITIONAL: helpers that the sign-in and link flows used and that
// flows still in this package use too (profile*.go, twofactor.go). They
// go when those flows move to internal/service (issue 10); the sign-in,
// link and throttle flows themselves are in internal/service (signin.go,
// links.go, throttle.go) and use none of this.

var (
	dummyOnce sync.Once
	dummyHash string
)

// dummy returns a hash to verify against when there is no credential, so
// that a missing one costs as much time as a wrong password.
func (db *DB) dummy() string {
	dummyOnce.Do(func() { dummyHash, _ = db.Hasher.Hash("tenantdesk-dummy-password") })
	return dummyHash
}

// attemptKind is a kind of attempt with the limit of each of its keys
// (tenantdesk.AttemptKey values are filled in by reserveAttempt).
type attemptKind struct {
	kind     string
	limits   []int
	optional []bool // an empty value (no client IP) is stored but not limited
}

var (
	signInAttempts = attemptKind{kind: tenantdesk.AttemptSignIn,
		limits: []int{tenantdesk.ThrottleMaxPerEmail, tenantdesk.ThrottleMaxPerIP}, optional: []bool{false, true}}
	secondFactorAttempts = attemptKind{kind: tenantdesk.AttemptSecondFactor,
		limits: []int{tenantdesk.ThrottleMaxSecondFactor}, optional: []bool{false}}
)

// reserveAttempt reserves one attempt of kind for the key values, in its
// own transaction (see tenantdesk.AttemptTx.ReserveAttempt); release(true)
// keeps it as a failure, release(false) deletes it.
func (db *DB) reserveAttempt(ctx context.Context, kind attemptKind, vals ...any) (release func(failed bool), wait time.Duration, err error) {
	keys := make([]tenantdesk.AttemptKey, len(vals))
	for i, v := range vals {
		keys[i] = tenantdesk.AttemptKey{Value: v, Window: tenantdesk.ThrottleWindow}
		if i < len(kind.limits) && !(kind.optional[i] && v == "") {
			keys[i].Limit = kind.limits[i]
		}
	}
	var id int64
	err = db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		id, wait, err = tx.ReserveAttempt(ctx, kind.kind, keys...)
		return err
	})
	if err != nil || wait > 0 {
		return nil, wait, err
	}
	return func(failed bool) {
		if !failed {
			bg := context.WithoutCancel(ctx) // the outcome is known even if the request was cancelled
			db.Update(bg, func(tx tenantdesk.StoreTx) error { return tx.DeleteAttempt(bg, kind.kind, id) })
		}
	}, 0, nil
}

// throttleWait is attemptWait over tenantdesk.ThrottleWindow.
func throttleWait(ctx context.Context, q querier, query string, key any, limit int, now time.Time) (time.Duration, error) {
	return attemptWait(ctx, q, query, key, limit, tenantdesk.ThrottleWindow, now)
}

// maxTokenLen bounds what is hashed and looked up; real tokens are 43 characters.
const maxTokenLen = 128

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// issueLink replaces the user's links of kind by a new one and returns its
// URL and lifetime.
func (tx *Tx) issueLink(ctx context.Context, userID int64, kind string) (string, time.Duration, error) {
	token := auth.RandomToken(32)
	ttl := tx.db.Mail.ttl(kind)
	if err := tx.ReplaceLink(ctx, userID, kind, tokenHash(token), tx.now.Add(ttl)); err != nil {
		return "", 0, err
	}
	path := "/activate"
	switch kind {
	case tenantdesk.LinkReset:
		path = "/password/reset"
	case tenantdesk.LinkEmailChange:
		path = "/profile/email/confirm"
	}
	return tx.db.Mail.url(path + "?token=" + url.QueryEscape(token)), ttl, nil
}

// setPasswordHash stores an already computed password hash for userID.
func (tx *Tx) setPasswordHash(ctx context.Context, userID int64, hash string) error {
	return tx.SetCredentialHash(ctx, userID, tenantdesk.CredentialPassword, hash)
}

func (c MailConfig) ttl(kind string) time.Duration {
	switch kind {
	case tenantdesk.LinkActivation:
		if c.ActivationTTL > 0 {
			return c.ActivationTTL
		}
		return tenantdesk.DefaultActivationTTL
	case tenantdesk.LinkReset, tenantdesk.LinkEmailChange: // an email change link expires like a reset link
		if c.ResetTTL > 0 {
			return c.ResetTTL
		}
		return tenantdesk.DefaultResetTTL
	}
	return tenantdesk.DefaultResetTTL
}

// url returns the absolute URL of path (which starts with "/").
func (c MailConfig) url(path string) string {
	return strings.TrimRight(c.BaseURL, "/") + path
}

// queueUserMail renders a mail of kind for u in u's language with the
// configured renderer and enqueues it.
func (tx *Tx) queueUserMail(ctx context.Context, u *tenantdesk.User, kind string, d tenantdesk.MailData) error {
	if tx.db.Mail.Renderer == nil {
		return fmt.Errorf("sqlite: no mail renderer for %s mail", kind)
	}
	d.Name = u.DisplayName
	subject, body, err := tx.db.Mail.Renderer.RenderMail(kind, u.Language, d)
	if err != nil {
		return fmt.Errorf("sqlite: render %s mail: %w", kind, err)
	}
	return tx.enqueueMail(ctx, &tenantdesk.MailMessage{AccountID: u.AccountID, To: u.Email, Subject: subject, BodyText: body, Kind: kind})
}

// humanTTL says a link lifetime in English ("72 hours"), for profile.go's
// fallback text.
func humanTTL(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	if d%time.Hour == 0 {
		n, unit = int(d/time.Hour), "hour"
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
