package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// PurgeMail deletes sent and failed mail and dead links older than
// MailRetention, and keeps pending mail, recent mail and recent links, so a
// recently expired link still says "expired".
func TestPurgeMailKeepsPendingAndRecent(t *testing.T) {
	db, owner := openLinksDB(t) // owner is invited: activation links fit
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	day := 24 * time.Hour
	old, recent := now.Add(-MailRetention-time.Minute), now.Add(-MailRetention+time.Minute)
	null := sql.NullInt64{}
	at := func(t time.Time) sql.NullInt64 { return sql.NullInt64{Int64: ms(t), Valid: true} }

	for _, m := range []struct {
		subject      string
		created      time.Time
		sent, failed sql.NullInt64
	}{
		{"sent-old", old.Add(-time.Minute), at(old), null},
		{"failed-old", old.Add(-day), null, at(old)},
		{"sent-recent", recent.Add(-time.Minute), at(recent), null},
		{"failed-recent", recent.Add(-day), null, at(recent)},
		{"pending-old", now.Add(-60 * day), null, null}, // never purged, however old
	} {
		if _, err := db.execWrite(ctx, `INSERT INTO mail_outbox (to_addr, subject, body_text, kind, created_at, next_attempt_at, sent_at, failed_at)
			VALUES ('a@acme.example', ?, '', 'activation', ?, ?, ?, ?)`, m.subject, ms(m.created), ms(m.created), m.sent, m.failed); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []struct {
		token   string
		expires time.Time
		used    sql.NullInt64
	}{
		{"expired-old", old, null},
		{"used-old", recent, at(old)}, // used long ago, whatever its expiry
		{"expired-recent", recent, null},
		{"used-recent", now.Add(-day), at(now.Add(-2 * day))},
		{"live", now.Add(time.Hour), null},
	} {
		if _, err := db.execWrite(ctx, `INSERT INTO user_tokens (token_hash, user_id, kind, created_at, expires_at, used_at) VALUES (?, ?, 'activation', ?, ?, ?)`,
			service.LinkTokenHash(l.token), owner.ID, ms(l.expires.Add(-time.Hour)), ms(l.expires), l.used); err != nil {
			t.Fatal(err)
		}
	}

	mails, links, err := db.PurgeMail(ctx)
	if err != nil || mails != 2 || links != 2 {
		t.Fatalf("purged %d mails, %d links: %v", mails, links, err)
	}
	msgs, err := db.ListMail(ctx, 10) // what the demo mailbox lists
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, m := range msgs {
		kept = append(kept, m.Subject)
	}
	slices.Sort(kept)
	if want := []string{"failed-recent", "pending-old", "sent-recent"}; !slices.Equal(kept, want) {
		t.Errorf("kept mail %v, want %v", kept, want)
	}
	for token, want := range map[string]bool{"expired-old": false, "used-old": false, "expired-recent": true, "used-recent": true, "live": true} {
		var n int
		db.read.QueryRow(`SELECT count(*) FROM user_tokens WHERE token_hash = ?`, service.LinkTokenHash(token)).Scan(&n)
		if (n == 1) != want {
			t.Errorf("link %s: %d rows, want kept=%v", token, n, want)
		}
	}
	if _, err := servicetest.NewLinks(t, db, "").CheckLink(ctx, tenantdesk.LinkActivation, "expired-recent"); !tenantdesk.IsLinkExpired(err) {
		t.Errorf("a link that expired within the retention: %v, want expired", err)
	}
	if _, err := servicetest.NewLinks(t, db, "").CheckLink(ctx, tenantdesk.LinkActivation, "live"); err != nil {
		t.Errorf("live link: %v", err)
	}
	// A second run has nothing left to do.
	if mails, links, err := db.PurgeMail(ctx); err != nil || mails != 0 || links != 0 {
		t.Errorf("second purge: %d, %d, %v", mails, links, err)
	}
}
